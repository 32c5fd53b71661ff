//! The watchdog's part of the platform error catalogue (packages/contracts error-catalogue.ts,
//! docs/errors.md): every non-2xx answer it produces carries
//! `{"error":{"code","message","origin","retryable"}}` with one of these codes and statuses.

use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    FunctionFailed,
    InvalidOutput,
    OutputTooLarge,
    Timeout,
    SpawnFailed,
    RuntimeUnavailable,
    NotReady,
    ConcurrencyLimit,
    ValidationFailed,
    MalformedJson,
    PayloadTooLarge,
    RouteNotFound,
    MethodNotAllowed,
    InvalidConfiguration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The caller's request was at fault.
    Client,
    Function,
    Platform,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Client => "client",
            Origin::Function => "function",
            Origin::Platform => "platform",
        }
    }
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::FunctionFailed => "FUNCTION_FAILED",
            ErrorCode::InvalidOutput => "INVALID_OUTPUT",
            ErrorCode::OutputTooLarge => "OUTPUT_TOO_LARGE",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::SpawnFailed => "SPAWN_FAILED",
            ErrorCode::RuntimeUnavailable => "RUNTIME_UNAVAILABLE",
            ErrorCode::NotReady => "NOT_READY",
            ErrorCode::ConcurrencyLimit => "CONCURRENCY_LIMIT",
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::MalformedJson => "MALFORMED_JSON",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::RouteNotFound => "ROUTE_NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::InvalidConfiguration => "INVALID_CONFIGURATION",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            ErrorCode::FunctionFailed | ErrorCode::InvalidOutput | ErrorCode::OutputTooLarge => 500,
            ErrorCode::Timeout => 408,
            ErrorCode::SpawnFailed
            | ErrorCode::RuntimeUnavailable
            | ErrorCode::InvalidConfiguration => 502,
            ErrorCode::NotReady => 503,
            ErrorCode::ConcurrencyLimit => 429,
            ErrorCode::ValidationFailed | ErrorCode::MalformedJson => 400,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::RouteNotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
        }
    }

    pub fn origin(self) -> Origin {
        match self {
            ErrorCode::FunctionFailed
            | ErrorCode::InvalidOutput
            | ErrorCode::OutputTooLarge
            | ErrorCode::Timeout => Origin::Function,
            ErrorCode::SpawnFailed
            | ErrorCode::RuntimeUnavailable
            | ErrorCode::NotReady
            | ErrorCode::ConcurrencyLimit
            | ErrorCode::InvalidConfiguration => Origin::Platform,
            ErrorCode::ValidationFailed
            | ErrorCode::MalformedJson
            | ErrorCode::PayloadTooLarge
            | ErrorCode::RouteNotFound
            | ErrorCode::MethodNotAllowed => Origin::Client,
        }
    }

    pub fn retryable(self) -> bool {
        match self {
            ErrorCode::Timeout
            | ErrorCode::RuntimeUnavailable
            | ErrorCode::NotReady
            | ErrorCode::ConcurrencyLimit => true,
            ErrorCode::FunctionFailed
            | ErrorCode::InvalidOutput
            | ErrorCode::OutputTooLarge
            | ErrorCode::SpawnFailed
            | ErrorCode::ValidationFailed
            | ErrorCode::MalformedJson
            | ErrorCode::PayloadTooLarge
            | ErrorCode::RouteNotFound
            | ErrorCode::MethodNotAllowed
            | ErrorCode::InvalidConfiguration => false,
        }
    }
}

/// A failed invocation: either one of our codes, or an error object the function reported itself
/// (kept as-is so language runtimes can use their own codes).
#[derive(Clone, Debug, PartialEq)]
pub enum InvocationError {
    Watchdog {
        code: ErrorCode,
        message: String,
        /// For VALIDATION_FAILED: the offending field and the rule it broke.
        issue: Option<Issue>,
    },
    Function {
        error: Map<String, Value>,
    },
}

/// One `issues[]` entry of a validation error: `{field, rule, message}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    pub field: String,
    pub rule: &'static str,
}

impl InvocationError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        InvocationError::Watchdog {
            code,
            message: message.into(),
            issue: None,
        }
    }

    /// VALIDATION_FAILED naming `field` (a dotted body path or `headers.<name>`).
    pub fn validation(field: &str, rule: &'static str, message: impl Into<String>) -> Self {
        InvocationError::Watchdog {
            code: ErrorCode::ValidationFailed,
            message: message.into(),
            issue: Some(Issue {
                field: field.to_string(),
                rule,
            }),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            InvocationError::Watchdog { code, .. } => code.status(),
            InvocationError::Function { .. } => 500,
        }
    }

    pub fn code(&self) -> String {
        match self {
            InvocationError::Watchdog { code, .. } => code.as_str().to_string(),
            InvocationError::Function { error } => error
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("FUNCTION_FAILED")
                .to_string(),
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            InvocationError::Watchdog {
                code: ErrorCode::Timeout,
                ..
            }
        )
    }

    pub fn origin(&self) -> Origin {
        match self {
            InvocationError::Watchdog { code, .. } => code.origin(),
            InvocationError::Function { .. } => Origin::Function,
        }
    }

    /// The `{code, message, origin, retryable}` object.
    pub fn to_error_object(&self) -> Value {
        match self {
            InvocationError::Watchdog {
                code,
                message,
                issue,
            } => {
                let mut object = json!({
                    "code": code.as_str(),
                    "message": message,
                    "origin": code.origin().as_str(),
                    "retryable": code.retryable(),
                });
                if let Some(issue) = issue {
                    object["issues"] = json!([{
                        "field": issue.field,
                        "rule": issue.rule,
                        "message": message,
                    }]);
                }
                object
            }
            InvocationError::Function { error } => {
                let mut error = error.clone();
                error.insert("origin".into(), Value::from("function"));
                if !error.get("retryable").is_some_and(Value::is_boolean) {
                    error.insert("retryable".into(), Value::from(false));
                }
                Value::Object(error)
            }
        }
    }

    /// The HTTP response body `{"error": {...}}`.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({ "error": self.to_error_object() }))
            .expect("serializing a JSON value cannot fail")
    }
}

/// If `bytes` is `{"error":{"code":string,"message":string,...}}`, the error object inside it.
/// This is how a language runtime reports its own error code through a non-zero exit.
pub fn reported_function_error(bytes: &[u8]) -> Option<Map<String, Value>> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let Value::Object(mut outer) = value else {
        return None;
    };
    let Some(Value::Object(error)) = outer.remove("error") else {
        return None;
    };
    let well_formed = error.get("code").is_some_and(Value::is_string)
        && error.get("message").is_some_and(Value::is_string);
    well_formed.then_some(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 14] = [
        ErrorCode::FunctionFailed,
        ErrorCode::InvalidOutput,
        ErrorCode::OutputTooLarge,
        ErrorCode::Timeout,
        ErrorCode::SpawnFailed,
        ErrorCode::RuntimeUnavailable,
        ErrorCode::NotReady,
        ErrorCode::ConcurrencyLimit,
        ErrorCode::ValidationFailed,
        ErrorCode::MalformedJson,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InvalidConfiguration,
    ];

    /// The catalogue generated from packages/contracts (`npm run openapi` keeps it current).
    #[test]
    fn every_code_matches_the_generated_contracts_catalogue() {
        let contracts: Value = serde_json::from_str(include_str!(
            "../../packages/contracts/generated/contracts.json"
        ))
        .unwrap();
        for code in ALL {
            let entry = &contracts["errors"][code.as_str()];
            assert!(
                entry.is_object(),
                "{} is not in the catalogue",
                code.as_str()
            );
            assert_eq!(
                entry["status"],
                code.status(),
                "status of {}",
                code.as_str()
            );
            assert_eq!(
                entry["origin"],
                code.origin().as_str(),
                "origin of {}",
                code.as_str()
            );
            assert_eq!(
                entry["retryable"],
                code.retryable(),
                "retryable of {}",
                code.as_str()
            );
        }
        assert_eq!(contracts["json"]["maxDepth"], crate::json_scan::MAX_DEPTH);
    }

    #[test]
    fn catalogue_statuses_and_retryability() {
        assert_eq!(ErrorCode::Timeout.status(), 408);
        assert!(ErrorCode::Timeout.retryable());
        assert_eq!(ErrorCode::ConcurrencyLimit.status(), 429);
        assert_eq!(ErrorCode::SpawnFailed.origin(), Origin::Platform);
        assert!(!ErrorCode::FunctionFailed.retryable());
    }

    #[test]
    fn reported_errors_are_kept_with_origin_function() {
        let bytes = br#"{"error":{"code":"BAD_INPUT","message":"no name","details":{"x":1}}}"#;
        let error = reported_function_error(bytes).unwrap();
        let object = InvocationError::Function { error }.to_error_object();
        assert_eq!(object["code"], "BAD_INPUT");
        assert_eq!(object["details"]["x"], 1);
        assert_eq!(object["origin"], "function");
        assert_eq!(object["retryable"], false);
        assert!(reported_function_error(br#"{"error":"text"}"#).is_none());
        assert!(reported_function_error(b"not json").is_none());
    }
}
