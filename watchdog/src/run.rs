//! Runs a per-invocation child to completion: feeds stdin, drains stdout and stderr, enforces the
//! deadline (SIGTERM to the group, SIGKILL after the grace period) and the output cap.

use crate::error::{ErrorCode, InvocationError};
use crate::invocation::{timeout_error, Invocation};
use crate::output::{log_lines, read_capped, OutputTooLarge, Tail};
use crate::process::{Child, ExitStatus};
use bytes::Bytes;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// What happens to the child's stdout.
pub enum Stdout {
    /// It is the result: keep up to this many bytes.
    Capture { max_bytes: usize },
    /// It is only logging (FILE mode): re-emit its lines.
    Log,
}

pub struct Finished {
    pub status: ExitStatus,
    /// The captured stdout (empty with `Stdout::Log`).
    pub stdout: Vec<u8>,
    pub stderr_tail: String,
}

type StdoutFuture = Pin<Box<dyn Future<Output = Result<Vec<u8>, OutputTooLarge>> + Send>>;

pub async fn run_child(
    child: &mut Child,
    stdin: Option<Bytes>,
    stdout_mode: Stdout,
    invocation: &Invocation,
    kill_grace: Duration,
) -> Result<Finished, InvocationError> {
    let stdin_pipe = child.stdin.take();
    let stdin_future = async move {
        if let (Some(mut pipe), Some(bytes)) = (stdin_pipe, stdin) {
            // A child that exits or closes stdin without reading it all is not an error here:
            // its exit status and output decide the result.
            let _ = pipe.write_all(&bytes).await;
        }
        // The pipe is dropped here, which closes the child's stdin (EOF).
    };
    let stdout_pipe = child.stdout.take().expect("stdout is piped");
    let stdout_future: StdoutFuture = match stdout_mode {
        Stdout::Capture { max_bytes } => Box::pin(read_capped(stdout_pipe, max_bytes)),
        Stdout::Log => {
            let log = invocation.log.clone();
            Box::pin(async move {
                log_lines(stdout_pipe, log, "stdout", Tail::default()).await;
                Ok(Vec::new())
            })
        }
    };
    let tail = Tail::default();
    let stderr_pipe = child.stderr.take().expect("stderr is piped");
    let stderr_future = log_lines(stderr_pipe, invocation.log.clone(), "stderr", tail.clone());

    tokio::pin!(stdin_future, stdout_future, stderr_future);
    let deadline = tokio::time::sleep_until(invocation.deadline);
    tokio::pin!(deadline);

    let mut stdin_done = false;
    let mut stdout: Option<Vec<u8>> = None;
    let mut stderr_done = false;
    let mut status: Option<ExitStatus> = None;
    // Done when the main process has exited and both pipes reached EOF (the reaper kills the rest
    // of the group when the main process exits, so the pipes close promptly).
    while status.is_none() || stdout.is_none() || !stderr_done {
        tokio::select! {
            () = &mut stdin_future, if !stdin_done => stdin_done = true,
            result = &mut stdout_future, if stdout.is_none() => match result {
                Ok(bytes) => stdout = Some(bytes),
                Err(OutputTooLarge) => {
                    child.kill().await;
                    return Err(InvocationError::new(
                        ErrorCode::OutputTooLarge,
                        "function output exceeds MAX_OUTPUT_BYTES; the process was killed",
                    ));
                }
            },
            () = &mut stderr_future, if !stderr_done => stderr_done = true,
            exit = child.wait(), if status.is_none() => status = Some(exit),
            () = &mut deadline => {
                let exit = child.terminate(kill_grace).await;
                invocation.log.warn(
                    "invocation timed out",
                    &[("timeoutMs", (invocation.timeout.as_millis() as u64).into()), ("exit", exit.to_string().into())],
                );
                return Err(timeout_error(invocation.timeout));
            }
        }
    }
    Ok(Finished {
        status: status.expect("loop ends with a status"),
        stdout: stdout.unwrap_or_default(),
        stderr_tail: tail.text(),
    })
}
