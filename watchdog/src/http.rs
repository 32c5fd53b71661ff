//! HTTP mode: the function is an HTTP runtime the watchdog starts on RUNTIME_PORT (PORT and
//! HOST=127.0.0.1 in its env), waits for (GET /health every HEALTH_INTERVAL_MS, up to
//! HEALTH_TIMEOUT_MS) and calls with POST /invoke.

use crate::client::{describe_client_error, HttpClient};
use crate::config::Config;
use crate::error::{reported_function_error, ErrorCode, InvocationError};
use crate::invocation::{timeout_error, Invocation, Output};
use crate::log::LogContext;
use crate::output::{log_lines, Tail};
use crate::process::{Child, Reaper, SpawnSpec};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// A started runtime process and the tail of its stderr.
pub struct RuntimeProcess {
    pub child: Child,
    pub stderr_tail: Tail,
}

/// Starts WATCHDOG_CMD as the HTTP runtime; its stdout and stderr become log lines.
pub async fn spawn_runtime(
    config: &Config,
    reaper: &Arc<Reaper>,
    log: &LogContext,
    mut env: Vec<(&'static str, String)>,
) -> Result<RuntimeProcess, InvocationError> {
    env.push(("PORT", config.runtime_port.to_string()));
    env.push(("HOST", "127.0.0.1".to_string()));
    env.push(("FUNCTION_NAME", config.function_name.clone()));
    let mut child = reaper
        .spawn_function(SpawnSpec {
            argv: &config.command,
            env,
            stdin: false,
            die_with_watchdog: true,
        })
        .await?;
    let stderr_tail = Tail::default();
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(log_lines(stdout, log.clone(), "stdout", Tail::default()));
    }
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(log_lines(
            stderr,
            log.clone(),
            "stderr",
            stderr_tail.clone(),
        ));
    }
    Ok(RuntimeProcess { child, stderr_tail })
}

/// Polls HEALTH_URL until it answers 2xx, the process exits, or HEALTH_TIMEOUT_MS passes.
pub async fn wait_healthy(
    client: &HttpClient,
    config: &Config,
    runtime: &mut RuntimeProcess,
) -> Result<(), InvocationError> {
    let deadline = Instant::now() + config.health_timeout;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let probe_timeout = remaining.min(Duration::from_secs(1));
        tokio::select! {
            status = runtime.child.wait() => {
                let mut message = format!("runtime exited with {status} before it was healthy");
                let tail = runtime.stderr_tail.text();
                if !tail.is_empty() {
                    message.push_str("; stderr: ");
                    message.push_str(&tail);
                }
                return Err(InvocationError::new(ErrorCode::RuntimeUnavailable, message));
            }
            healthy = check_health(client, &config.health_url, probe_timeout) => {
                if healthy {
                    return Ok(());
                }
            }
        }
        if Instant::now() >= deadline {
            return Err(InvocationError::new(
                ErrorCode::RuntimeUnavailable,
                format!(
                    "runtime did not answer GET {} with 2xx within {} ms",
                    config.health_url,
                    config.health_timeout.as_millis()
                ),
            ));
        }
        tokio::time::sleep(config.health_interval.min(remaining)).await;
    }
}

/// One GET on the health URL; true on a 2xx answer.
pub async fn check_health(client: &HttpClient, url: &str, timeout: Duration) -> bool {
    let Ok(request) = Request::get(url).body(Full::new(Bytes::new())) else {
        return false;
    };
    let probe = async {
        let response = client.request(request).await.ok()?;
        let ok = response.status().is_success();
        response.into_body().collect().await.ok()?;
        Some(ok)
    };
    matches!(tokio::time::timeout(timeout, probe).await, Ok(Some(true)))
}

/// The runtime's answer, passed back unchanged in warm mode.
pub struct RuntimeResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// POSTs the InvocationRequest to RUNTIME_URL with the tracing headers, bounded by the deadline.
pub async fn forward(
    client: &HttpClient,
    config: &Config,
    invocation: &Invocation,
) -> Result<RuntimeResponse, InvocationError> {
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(config.runtime_uri.clone())
        .header(CONTENT_TYPE, "application/json")
        .header("x-execution-id", header_value(&invocation.execution_id))
        .header(
            "x-timeout-ms",
            invocation.remaining().as_millis().max(1).to_string(),
        );
    if let Some(trace_id) = &invocation.trace_id {
        builder = builder.header("x-trace-id", header_value(trace_id));
    }
    if let Some(traceparent) = &invocation.forwarded.traceparent {
        builder = builder.header("traceparent", header_value(traceparent));
    }
    if let Some(attempt) = &invocation.forwarded.dispatch_attempt {
        builder = builder.header("x-dispatch-attempt", header_value(attempt));
    }
    let request = builder
        .body(Full::new(invocation.payload.clone()))
        .map_err(|e| InvocationError::new(ErrorCode::RuntimeUnavailable, e.to_string()))?;

    let max_bytes = config.max_output_bytes;
    let exchange = async {
        let response = client.request(request).await.map_err(|e| {
            InvocationError::new(
                ErrorCode::RuntimeUnavailable,
                format!(
                    "runtime at {} is unreachable: {}",
                    config.runtime_url,
                    describe_client_error(&e)
                ),
            )
        })?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, max_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    InvocationError::new(
                        ErrorCode::OutputTooLarge,
                        "runtime response exceeds MAX_OUTPUT_BYTES",
                    )
                } else {
                    InvocationError::new(
                        ErrorCode::RuntimeUnavailable,
                        format!("runtime connection failed mid-response: {e}"),
                    )
                }
            })?
            .to_bytes();
        Ok(RuntimeResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    match tokio::time::timeout_at(invocation.deadline, exchange).await {
        Ok(result) => result,
        Err(_) => Err(timeout_error(invocation.timeout)),
    }
}

fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// One-shot HTTP mode: start the runtime, wait for health, invoke once, stop it.
pub async fn invoke_http_once(
    config: &Config,
    reaper: &Arc<Reaper>,
    client: &HttpClient,
    invocation: &Invocation,
) -> Result<Output, InvocationError> {
    let env = invocation.child_env(config);
    let mut runtime = spawn_runtime(config, reaper, &invocation.log, env).await?;
    let result = async {
        wait_healthy(client, config, &mut runtime).await?;
        // TIMEOUT_MS is the function's own time: it starts once the runtime is up (start-up is
        // bounded by HEALTH_TIMEOUT_MS), as it does for a warm runtime.
        let invocation = Invocation {
            deadline: Instant::now() + invocation.timeout,
            ..invocation.clone()
        };
        let response = forward(client, config, &invocation).await?;
        interpret_runtime_response(response)
    }
    .await;
    runtime.child.terminate(config.kill_grace).await;
    result
}

/// A 2xx answer must carry JSON; an error answer is the runtime's own error object when it sends
/// one, else FUNCTION_FAILED with the status and the start of the body.
pub fn interpret_runtime_response(response: RuntimeResponse) -> Result<Output, InvocationError> {
    if response.status.is_success() {
        let body = response.body.trim_ascii();
        return match crate::json_scan::is_json(body) {
            Ok(()) => Ok(Bytes::copy_from_slice(body)),
            Err(e) => Err(InvocationError::new(
                ErrorCode::InvalidOutput,
                format!(
                    "runtime answered {} with a body that is not JSON: {e}",
                    response.status
                ),
            )),
        };
    }
    if let Some(error) = reported_function_error(&response.body) {
        return Err(InvocationError::Function { error });
    }
    let preview = String::from_utf8_lossy(&response.body[..response.body.len().min(200)]);
    Err(InvocationError::new(
        ErrorCode::FunctionFailed,
        format!("runtime answered {}: {preview}", response.status),
    ))
}
