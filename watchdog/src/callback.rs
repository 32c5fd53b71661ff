//! One-shot result delivery: `POST {CALLBACK_URL}/{EXECUTION_ID}:complete`, retried with
//! exponential backoff. 2xx means delivered; a 4xx other than 408/429 will not get better by
//! retrying and stops the attempts.

use crate::client::{describe_client_error, HttpClient};
use crate::log::LogContext;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use std::time::Duration;

pub struct Callback {
    /// The full URL, `{CALLBACK_URL}/{EXECUTION_ID}:complete`.
    pub url: String,
    pub execution_id: String,
    pub trace_id: Option<String>,
    pub token: Option<String>,
}

/// Pauses between attempts: 7 attempts spread over ~12 s.
pub const RETRY_DELAYS: [Duration; 6] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_millis(1000),
    Duration::from_millis(2000),
    Duration::from_millis(4000),
    Duration::from_millis(4000),
];
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

enum Attempt {
    Delivered(StatusCode),
    Rejected(StatusCode),
    Failed(String),
}

impl Callback {
    /// The callback of one execution: `{base}/{execution_id}:complete`, or `base` as is when it
    /// already names that route (the original's CALLBACK_URL may).
    pub fn for_execution(
        base: &str,
        execution_id: &str,
        trace_id: Option<String>,
        token: Option<String>,
    ) -> Callback {
        let route = format!("/{execution_id}:complete");
        Callback {
            url: if base.ends_with(&route) {
                base.to_string()
            } else {
                format!("{base}{route}")
            },
            execution_id: execution_id.to_string(),
            trace_id,
            token,
        }
    }

    pub async fn deliver(
        &self,
        client: &HttpClient,
        body: Bytes,
        log: &LogContext,
    ) -> Result<(), String> {
        let attempts = RETRY_DELAYS.len() + 1;
        for attempt in 1..=attempts {
            let outcome =
                match tokio::time::timeout(ATTEMPT_TIMEOUT, self.send(client, &body)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Attempt::Failed(format!("no answer within {ATTEMPT_TIMEOUT:?}")),
                };
            match outcome {
                Attempt::Delivered(status) => {
                    log.info(
                        "callback delivered",
                        &[
                            ("status", status.as_u16().into()),
                            ("attempt", attempt.into()),
                        ],
                    );
                    return Ok(());
                }
                Attempt::Rejected(status) => {
                    let problem = format!("callback rejected with {status}; not retrying");
                    log.error(&problem, &[("url", self.url.as_str().into())]);
                    return Err(problem);
                }
                Attempt::Failed(problem) => {
                    log.warn(
                        "callback attempt failed",
                        &[
                            ("attempt", attempt.into()),
                            ("error", problem.as_str().into()),
                            ("url", self.url.as_str().into()),
                        ],
                    );
                }
            }
            if let Some(delay) = RETRY_DELAYS.get(attempt - 1) {
                tokio::time::sleep(*delay).await;
            }
        }
        Err(format!("callback not delivered after {attempts} attempts"))
    }

    async fn send(&self, client: &HttpClient, body: &Bytes) -> Attempt {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .header("x-execution-id", &self.execution_id);
        if let Some(trace_id) = &self.trace_id {
            builder = builder.header("x-trace-id", trace_id);
        }
        if let Some(token) = &self.token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match builder.body(Full::new(body.clone())) {
            Ok(request) => request,
            Err(e) => return Attempt::Failed(format!("cannot build request: {e}")),
        };
        match client.request(request).await {
            Ok(response) => {
                let status = response.status();
                let _ = response.into_body().collect().await;
                if status.is_success() {
                    Attempt::Delivered(status)
                } else if status.is_client_error()
                    && status != StatusCode::REQUEST_TIMEOUT
                    && status != StatusCode::TOO_MANY_REQUESTS
                {
                    Attempt::Rejected(status)
                } else {
                    Attempt::Failed(format!("answered {status}"))
                }
            }
            Err(e) => Attempt::Failed(describe_client_error(&e)),
        }
    }
}
