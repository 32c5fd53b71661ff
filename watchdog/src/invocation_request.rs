//! Reading a warm `POST /invoke` request into an Invocation: the tracing and timeout headers,
//! the body within MAX_BODY_BYTES, and the InvocationRequest shape.

use crate::config::Config;
use crate::error::{ErrorCode, InvocationError};
use crate::invocation::{ForwardedHeaders, Invocation};
use crate::log::LogContext;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::Request;
use serde_json::value::RawValue;
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

/// The shape of an InvocationRequest, checked without building a JSON tree (the proxy path is
/// hot); the body itself is passed on byte for byte.
#[derive(serde::Deserialize)]
struct InvocationShape<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    input: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    metadata: Option<&'a RawValue>,
}

/// A field that is present (even as `null`) is `Some`; only a missing field is `None`.
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// The body must be an InvocationRequest: a JSON object with `input` and an optional object
/// `metadata`.
fn validate_invocation_request(body: &[u8]) -> Result<(), InvocationError> {
    const SHAPE: &str =
        "the body must be an InvocationRequest {\"input\": ..., \"metadata\"?: {...}}";
    let shape: InvocationShape = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            InvocationError::validation("", "type", format!("{SHAPE} ({e})"))
        }
        _ => InvocationError::new(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON ({e}); {SHAPE}"),
        ),
    })?;
    // serde also reads a struct from a JSON array; an InvocationRequest is only ever an object.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(InvocationError::validation(
            "",
            "type",
            format!("{SHAPE}, not a JSON array"),
        ));
    }
    if shape.input.is_none() {
        return Err(InvocationError::validation(
            "input",
            "required",
            format!("field \"input\" is required; {SHAPE}"),
        ));
    }
    match shape.metadata.map(RawValue::get) {
        None | Some("null") => Ok(()),
        Some(raw) if raw.starts_with('{') => Ok(()),
        Some(_) => Err(InvocationError::validation(
            "metadata",
            "type",
            "field \"metadata\" must be an object",
        )),
    }
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
    }
}
