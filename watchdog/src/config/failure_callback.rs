//! Where a one-shot run reports its own configuration error: CALLBACK_URL and EXECUTION_ID are
//! read on their own, so a mistake in any other variable still reaches the control plane as an
//! error of the execution instead of a run that ended without a word (RUN_LOST, then retried
//! with the same environment).

use super::{check_execution_id, parse_bool, parse_http_url};
use std::path::PathBuf;

/// The callback of a one-shot run, as far as it can be read from an environment that failed
/// validation.
#[derive(Debug, PartialEq, Eq)]
pub struct FailureCallback {
    /// CALLBACK_URL without a trailing slash.
    pub base_url: String,
    pub execution_id: String,
    pub token: Option<String>,
    pub trace_id: Option<String>,
    pub hosts_file: PathBuf,
    pub resolv_conf: PathBuf,
}

/// Some when the run is one-shot (WARM unset or false) and both CALLBACK_URL and EXECUTION_ID
/// are valid; None otherwise (a warm watchdog has no callback, and a wrong URL or id has no
/// receiver to tell).
pub fn failure_callback(env: &dyn Fn(&str) -> Option<String>) -> Option<FailureCallback> {
    let get = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    if let Some(warm) = get("WARM") {
        if parse_bool("WARM", &warm) != Ok(false) {
            return None;
        }
    }
    let base_url = parse_http_url("CALLBACK_URL", &get("CALLBACK_URL")?).ok()?;
    let execution_id = get("EXECUTION_ID")?;
    check_execution_id(&execution_id).ok()?;
    Some(FailureCallback {
        base_url: base_url.trim_end_matches('/').to_string(),
        execution_id,
        token: get("CALLBACK_TOKEN"),
        trace_id: get("TRACE_ID"),
        hosts_file: PathBuf::from(get("HOSTS_FILE").unwrap_or_else(|| "/etc/hosts".into())),
        resolv_conf: PathBuf::from(get("RESOLV_CONF").unwrap_or_else(|| "/etc/resolv.conf".into())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback_of(pairs: &[(&str, &str)]) -> Option<FailureCallback> {
        let env = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_string())
        };
        failure_callback(&env)
    }

    #[test]
    fn a_one_shot_run_with_a_readable_callback_reports_there() {
        let callback = callback_of(&[
            ("CALLBACK_URL", "http://cp:8080/v1/internal/executions/"),
            ("EXECUTION_ID", "exec-1"),
            ("CALLBACK_TOKEN", "t"),
            ("TIMEOUT_MS", "soon"),
        ])
        .unwrap();
        assert_eq!(callback.base_url, "http://cp:8080/v1/internal/executions");
        assert_eq!(callback.execution_id, "exec-1");
        assert_eq!(callback.token.as_deref(), Some("t"));
    }

    #[test]
    fn nothing_is_reported_without_a_valid_url_and_id_or_when_warm() {
        let url = ("CALLBACK_URL", "http://cp:8080/x");
        let id = ("EXECUTION_ID", "exec-1");
        assert!(callback_of(&[id]).is_none());
        assert!(callback_of(&[url]).is_none());
        assert!(callback_of(&[("CALLBACK_URL", "https://cp/x"), id]).is_none());
        assert!(callback_of(&[url, ("EXECUTION_ID", "a/b")]).is_none());
        assert!(callback_of(&[url, id, ("WARM", "true")]).is_none());
        assert!(callback_of(&[url, id, ("WARM", "perhaps")]).is_none());
        assert!(callback_of(&[url, id, ("WARM", "false")]).is_some());
    }
}
