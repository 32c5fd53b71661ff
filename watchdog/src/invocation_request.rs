//! Reading a warm `POST /invoke` request into an Invocation: the tracing and timeout headers,
//! the body within MAX_BODY_BYTES, and the InvocationRequest shape.

use crate::config::Config;
use crate::error::{ErrorCode, InvocationError};
use crate::invocation::{ForwardedHeaders, Invocation};
use crate::log::LogContext;
use crate::request_shape::validate_invocation_request;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::Request;
use std::time::Duration;
use tokio::time::Instant;

/// Headers read: X-Execution-Id (`generate_id` when absent), X-Trace-Id, traceparent,
/// X-Dispatch-Attempt and X-Timeout-Ms, which can only lower TIMEOUT_MS.
pub async fn read_invocation(
    request: Request<Incoming>,
    started: Instant,
    config: &Config,
    log: &LogContext,
    generate_id: impl FnOnce() -> String,
) -> Result<Invocation, InvocationError> {
    let headers = request.headers();
    let execution_id = header(headers, "x-execution-id").unwrap_or_else(generate_id);
    let trace_id = header(headers, "x-trace-id");
    let mut timeout = config.timeout;
    if let Some(value) = header(headers, "x-timeout-ms") {
        match value.parse::<u64>() {
            Ok(ms) if ms > 0 => timeout = timeout.min(Duration::from_millis(ms)),
            _ => {
                return Err(InvocationError::validation(
                    "headers.x-timeout-ms",
                    "type",
                    format!("header X-Timeout-Ms: {value:?} is not a positive integer"),
                ))
            }
        }
    }
    let forwarded = ForwardedHeaders {
        traceparent: header(headers, "traceparent"),
        dispatch_attempt: header(headers, "x-dispatch-attempt"),
    };

    let body = Limited::new(request.into_body(), config.max_body_bytes)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                InvocationError::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "request body exceeds MAX_BODY_BYTES ({} bytes)",
                        config.max_body_bytes
                    ),
                )
            } else {
                InvocationError::new(
                    ErrorCode::ValidationFailed,
                    format!("cannot read request body: {e}"),
                )
            }
        })?
        .to_bytes();
    validate_invocation_request(&body)?;

    Ok(Invocation {
        log: log.for_invocation(&execution_id, trace_id.as_deref()),
        execution_id,
        trace_id,
        payload: body,
        timeout,
        deadline: started + timeout,
        forwarded,
    })
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocation_requests_are_validated() {
        assert!(validate_invocation_request(br#"{"input":null}"#).is_ok());
        assert!(validate_invocation_request(br#"{"input":1,"metadata":{"a":1}}"#).is_ok());
        for bad in [&b"[1]"[..], b"{}", b"{\"input\":1,\"metadata\":3}"] {
            let err = validate_invocation_request(bad).unwrap_err();
            assert_eq!(err.code(), "VALIDATION_FAILED");
        }
        let missing = validate_invocation_request(b"{}")
            .unwrap_err()
            .to_error_object();
        assert_eq!(missing["issues"][0]["field"], "input");
        assert_eq!(missing["origin"], "client");
        let malformed = validate_invocation_request(b"{oops").unwrap_err();
        assert_eq!(malformed.code(), "MALFORMED_JSON");
        assert!(validate_invocation_request(br#"{"input":1e400,"metadata":null}"#).is_ok());
        let deep = format!("{{\"input\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
        let too_deep = validate_invocation_request(deep.as_bytes()).unwrap_err();
        assert_eq!(too_deep.code(), "VALIDATION_FAILED");
    }
}
