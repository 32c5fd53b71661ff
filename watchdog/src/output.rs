//! Reading a child's output streams: the result stream with a size cap, and log streams that are
//! re-emitted line by line as structured logs while keeping a tail for error messages.

use crate::log::LogContext;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

/// The result stream was longer than the cap.
#[derive(Debug)]
pub struct OutputTooLarge;

/// Reads `stream` to EOF, failing as soon as it holds more than `max_bytes`. A read error counts
/// as EOF: what was read so far is the output.
pub async fn read_capped<R: AsyncRead + Unpin>(
    mut stream: R,
    max_bytes: usize,
) -> Result<Vec<u8>, OutputTooLarge> {
    let mut output = Vec::with_capacity(8 * 1024);
    loop {
        if output.capacity() - output.len() < 4096 {
            output.reserve(output.capacity());
        }
        match stream.read_buf(&mut output).await {
            Ok(0) | Err(_) => return Ok(output),
            Ok(_) if output.len() > max_bytes => return Err(OutputTooLarge),
            Ok(_) => {}
        }
    }
}

/// The last few lines of a stream, for error messages.
#[derive(Clone, Default)]
pub struct Tail {
    lines: Arc<Mutex<VecDeque<String>>>,
}

const TAIL_LINES: usize = 20;
const TAIL_BYTES: usize = 2048;
/// Longer lines are split so one runaway line cannot grow memory without bound.
const MAX_LINE_BYTES: usize = 16 * 1024;

impl Tail {
    fn push(&self, line: &str) {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.push_back(line.to_string());
        while lines.len() > TAIL_LINES {
            lines.pop_front();
        }
    }

    /// The tail as one string of at most ~2 KiB, newest lines kept.
    pub fn text(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = lines.iter().cloned().collect::<Vec<_>>().join("\n");
        if text.len() > TAIL_BYTES {
            let mut cut = text.len() - TAIL_BYTES;
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            text = format!("…{}", &text[cut..]);
        }
        text
    }
}

/// Re-emits every line of `stream` as a log line tagged with `stream_name`, until EOF.
pub async fn log_lines<R: AsyncRead + Unpin>(
    stream: R,
    log: LogContext,
    stream_name: &'static str,
    tail: Tail,
) {
    let mut reader = BufReader::new(stream);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64)
            .read_until(b'\n', &mut buffer)
            .await;
        match read {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buffer);
                let line = text.trim_end_matches(['\n', '\r']);
                log.child_line(stream_name, line);
                tail.push(line);
            }
        }
    }
}
