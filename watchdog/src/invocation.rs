//! One invocation as every mode sees it, and how a process's output becomes its result.

use crate::config::{Config, OutputFormat};
use crate::error::{reported_function_error, ErrorCode, InvocationError};
use crate::log::LogContext;
use crate::process::ExitStatus;
use bytes::Bytes;
use std::time::Duration;
use tokio::time::Instant;

/// Headers forwarded to an HTTP runtime besides the ones derived from the fields below.
#[derive(Clone, Debug, Default)]
pub struct ForwardedHeaders {
    pub traceparent: Option<String>,
    pub dispatch_attempt: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Invocation {
    pub execution_id: String,
    pub trace_id: Option<String>,
    /// The InvocationRequest JSON `{"input": ..., "metadata": ...}`, exactly as received.
    pub payload: Bytes,
    /// The effective timeout (TIMEOUT_MS, lowered by X-Timeout-Ms) and the deadline it gives.
    pub timeout: Duration,
    pub deadline: Instant,
    pub forwarded: ForwardedHeaders,
    pub log: LogContext,
}

/// The function's JSON output, as raw bytes.
pub type Output = Bytes;

impl Invocation {
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Environment every function process gets for this invocation.
    pub fn child_env(&self, config: &Config) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("EXECUTION_ID", self.execution_id.clone()),
            (
                "TIMEOUT_MS",
                self.remaining().as_millis().max(1).to_string(),
            ),
            ("FUNCTION_NAME", config.function_name.clone()),
        ];
        if let Some(trace_id) = &self.trace_id {
            env.push(("TRACE_ID", trace_id.clone()));
        }
        env
    }
}

pub fn timeout_error(timeout: Duration) -> InvocationError {
    InvocationError::new(
        ErrorCode::Timeout,
        format!(
            "function did not finish within {} ms; its process group was killed",
            timeout.as_millis()
        ),
    )
}

/// Turns what a STDIO/FILE process produced into the invocation's result.
///
/// Exit 0: the output must be one JSON value (OUTPUT_FORMAT=json, the default) or is returned as
/// a JSON string (OUTPUT_FORMAT=text). Non-zero exit: a `{"error":{code,message}}` output is the
/// function's own error and is kept; anything else is FUNCTION_FAILED with the stderr tail.
pub fn interpret_output(
    status: ExitStatus,
    output: &[u8],
    stderr_tail: &str,
    format: OutputFormat,
) -> Result<Output, InvocationError> {
    if !status.success() {
        if let Some(error) = reported_function_error(output) {
            return Err(InvocationError::Function { error });
        }
        let mut message = format!("function failed with {status}");
        if !stderr_tail.is_empty() {
            message.push_str("; stderr: ");
            message.push_str(stderr_tail);
        }
        return Err(InvocationError::new(ErrorCode::FunctionFailed, message));
    }
    match format {
        OutputFormat::Json => {
            let trimmed = output.trim_ascii();
            if trimmed.is_empty() {
                return Err(InvocationError::new(
                    ErrorCode::InvalidOutput,
                    "function exited 0 but wrote no output (expected one JSON value)",
                ));
            }
            match crate::json_scan::is_json(trimmed) {
                Ok(()) => Ok(Bytes::copy_from_slice(trimmed)),
                Err(e) => Err(InvocationError::new(
                    ErrorCode::InvalidOutput,
                    format!(
                        "function output is not valid JSON ({e}); output starts with: {:?} \
                         (set OUTPUT_FORMAT=text to return plain text)",
                        preview(trimmed)
                    ),
                )),
            }
        }
        OutputFormat::Text => {
            let text = std::str::from_utf8(output).map_err(|e| {
                InvocationError::new(
                    ErrorCode::InvalidOutput,
                    format!("function output is not UTF-8 text: {e}"),
                )
            })?;
            let text = text
                .strip_suffix("\r\n")
                .or_else(|| text.strip_suffix('\n'))
                .unwrap_or(text);
            Ok(Bytes::from(
                serde_json::to_vec(text).expect("serializing a string cannot fail"),
            ))
        }
    }
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(120)]);
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_is_kept_byte_for_byte() {
        let out = interpret_output(
            ExitStatus::Code(0),
            b" {\"n\": 1.50}\n",
            "",
            OutputFormat::Json,
        );
        assert_eq!(out.unwrap(), Bytes::from_static(b"{\"n\": 1.50}"));
    }

    #[test]
    fn garbage_is_invalid_output_unless_text() {
        let err =
            interpret_output(ExitStatus::Code(0), b"hello\n", "", OutputFormat::Json).unwrap_err();
        assert_eq!(err.code(), "INVALID_OUTPUT");
        let out = interpret_output(ExitStatus::Code(0), b"hello\n", "", OutputFormat::Text);
        assert_eq!(out.unwrap(), Bytes::from_static(b"\"hello\""));
    }

    #[test]
    fn failures_carry_exit_status_and_stderr() {
        let err =
            interpret_output(ExitStatus::Code(3), b"", "boom", OutputFormat::Json).unwrap_err();
        let object = err.to_error_object();
        assert_eq!(object["code"], "FUNCTION_FAILED");
        assert!(object["message"].as_str().unwrap().contains("exit code 3"));
        assert!(object["message"].as_str().unwrap().contains("boom"));
    }
}
