//! The shape of an InvocationRequest body, checked without building a JSON tree. Apart from the
//! HTTP plumbing of invocation_request.rs so that the fuzz target (watchdog/fuzz) can drive it.

use crate::error::{ErrorCode, InvocationError};
use crate::json_scan;

/// The body must be an InvocationRequest: a JSON object with `input` and an optional `metadata`
/// object (null means absent), checked by the validating scanner without building a JSON tree
/// (the proxy path is hot); the body itself is passed on byte for byte.
pub fn validate_invocation_request(body: &[u8]) -> Result<(), InvocationError> {
    const SHAPE: &str =
        "the body must be an InvocationRequest {\"input\": ..., \"metadata\"?: {...}}";
    let members = match json_scan::scan(body, json_scan::MAX_DEPTH) {
        Ok(members) => members,
        Err(e) if e.too_deep => {
            return Err(InvocationError::validation(
                "",
                "maxDepth",
                format!(
                    "the body nests arrays and objects deeper than {} levels",
                    json_scan::MAX_DEPTH
                ),
            ))
        }
        Err(e) => {
            return Err(InvocationError::new(
                ErrorCode::MalformedJson,
                format!("the body is not valid JSON ({e}); {SHAPE}"),
            ))
        }
    };
    let Some(members) = members else {
        return Err(InvocationError::validation(
            "",
            "type",
            format!("{SHAPE}, not another JSON value"),
        ));
    };
    if !members.iter().any(|m| m.key == "input") {
        return Err(InvocationError::validation(
            "input",
            "required",
            format!("field \"input\" is required; {SHAPE}"),
        ));
    }
    // The last of duplicate keys wins, as in JSON.parse.
    match members.iter().rev().find(|m| m.key == "metadata") {
        None => Ok(()),
        Some(m) if matches!(body[m.start], b'{' | b'n') => Ok(()),
        Some(_) => Err(InvocationError::validation(
            "metadata",
            "type",
            "field \"metadata\" must be an object",
        )),
    }
}
