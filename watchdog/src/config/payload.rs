//! The one-shot payload: INVOCATION_PAYLOAD, or the file INVOCATION_PAYLOAD_FILE names.

use super::{ConfigError, ReadFile};
use std::path::Path;

/// The one-shot payload comes from INVOCATION_PAYLOAD, or from the file INVOCATION_PAYLOAD_FILE
/// names when it is too large for one environment variable (Linux caps one at 128 KiB). Exactly
/// one of the two: with both set it is unclear which the caller meant.
pub(super) fn load_payload(
    get: &dyn Fn(&str) -> Option<String>,
    read_file: ReadFile<'_>,
) -> Result<Vec<u8>, ConfigError> {
    match (get("INVOCATION_PAYLOAD"), get("INVOCATION_PAYLOAD_FILE")) {
        (Some(_), Some(_)) => Err(ConfigError {
            variable: "INVOCATION_PAYLOAD_FILE",
            problem: "and INVOCATION_PAYLOAD are both set; set only one of them".into(),
        }),
        (Some(raw), None) => normalize_payload("INVOCATION_PAYLOAD", raw.as_bytes(), ""),
        (None, Some(path)) => {
            let raw = read_file(Path::new(&path)).map_err(|e| ConfigError {
                variable: "INVOCATION_PAYLOAD_FILE",
                problem: format!("cannot read {path:?}: {e}"),
            })?;
            normalize_payload("INVOCATION_PAYLOAD_FILE", &raw, &format!("{path:?} "))
        }
        (None, None) => Err(ConfigError {
            variable: "INVOCATION_PAYLOAD",
            problem: "is required when WARM is not true (one-shot run); \
                      or name a file holding it in INVOCATION_PAYLOAD_FILE"
                .into(),
        }),
    }
}

/// The payload is normally an InvocationRequest (`{"input": ..., "metadata": ...}`) and is passed
/// on byte for byte; any other JSON value is wrapped as `{"input": <value>}`.
fn normalize_payload(
    variable: &'static str,
    raw: &[u8],
    what: &str,
) -> Result<Vec<u8>, ConfigError> {
    let raw = raw.trim_ascii();
    let members =
        crate::json_scan::scan(raw, crate::json_scan::MAX_DEPTH).map_err(|e| ConfigError {
            variable,
            problem: format!("{what}is not valid JSON: {e}"),
        })?;
    if members.is_some_and(|members| members.iter().any(|m| m.key == "input")) {
        return Ok(raw.to_vec());
    }
    // Any other JSON value is the input itself, wrapped byte for byte.
    let mut wrapped = Vec::with_capacity(raw.len() + 10);
    wrapped.extend_from_slice(b"{\"input\":");
    wrapped.extend_from_slice(raw);
    wrapped.push(b'}');
    Ok(wrapped)
}
