//! One-shot mode (no `WARM=true`; the REMOTE/Job case): run the invocation from
//! INVOCATION_PAYLOAD (or INVOCATION_PAYLOAD_FILE) once, then report it to the control plane (or
//! print it).

use crate::callback::Callback;
use crate::client::build_client;
use crate::client::HttpClient;
use crate::config::{Config, ConfigError, ExecutionMode, FailureCallback};
use crate::error::{ErrorCode, InvocationError};
use crate::file::{invoke_file, FilePair};
use crate::http::invoke_http_once;
use crate::invocation::{ForwardedHeaders, Invocation};
use crate::log::LogContext;
use crate::process::Reaper;
use crate::resolver::Resolver;
use crate::stdio::invoke_stdio;
use bytes::Bytes;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::Arc;
use tokio::time::Instant;

/// Exit codes of a one-shot run.
pub const EXIT_SUCCESS: i32 = 0;
pub const EXIT_FUNCTION_FAILED: i32 = 1;
pub const EXIT_CALLBACK_FAILED: i32 = 3;

pub async fn run_one_shot(
    config: Arc<Config>,
    reaper: Arc<Reaper>,
    client: HttpClient,
    log: LogContext,
) -> i32 {
    let one_shot = config.one_shot.as_ref().expect("one-shot configuration");
    let trace_id = config.trace_id.clone();
    let invocation = Invocation {
        log: log.for_invocation(&one_shot.execution_id, trace_id.as_deref()),
        execution_id: one_shot.execution_id.clone(),
        trace_id: trace_id.clone(),
        payload: Bytes::from(one_shot.payload.clone()),
        timeout: config.timeout,
        deadline: Instant::now() + config.timeout,
        forwarded: ForwardedHeaders::default(),
    };
    let log = invocation.log.clone();

    // Pod shutdown while running: the invocation still finishes, bounded by its own timeout.
    tokio::spawn(log_termination(log.clone()));

    let started = Instant::now();
    let result = match config.mode {
        ExecutionMode::Http => invoke_http_once(&config, &reaper, &client, &invocation).await,
        ExecutionMode::Stdio => invoke_stdio(&config, &reaper, &invocation).await,
        ExecutionMode::File => {
            invoke_file(
                &config,
                &reaper,
                &invocation,
                &FilePair::configured(&config),
            )
            .await
        }
    };
    let duration_ms = Value::from(started.elapsed().as_secs_f64() * 1000.0);
    let body = match &result {
        Ok(output) => {
            log.info("invocation finished", &[("durationMs", duration_ms)]);
            // The output is validated JSON (json_scan): spliced in as the bytes it is, never
            // parsed into numbers that could be out of range.
            let mut body = Vec::with_capacity(output.len() + 32);
            body.extend_from_slice(b"{\"success\":true,\"output\":");
            body.extend_from_slice(output);
            body.push(b'}');
            body
        }
        Err(error) => {
            log.warn(
                "invocation failed",
                &[("durationMs", duration_ms), ("code", error.code().into())],
            );
            json!({ "success": false, "error": error.to_error_object() })
                .to_string()
                .into_bytes()
        }
    };

    let exit = if result.is_ok() {
        EXIT_SUCCESS
    } else {
        EXIT_FUNCTION_FAILED
    };
    let Some(base) = &one_shot.callback_url else {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(&body)
            .and_then(|()| stdout.write_all(b"\n"));
        let _ = stdout.flush();
        return exit;
    };
    let callback = Callback::for_execution(
        base,
        &one_shot.execution_id,
        trace_id,
        one_shot.callback_token.clone(),
    );
    match callback.deliver(&client, Bytes::from(body), &log).await {
        Ok(()) => exit,
        Err(problem) => {
            log.error("result not delivered", &[("error", problem.into())]);
            EXIT_CALLBACK_FAILED
        }
    }
}

/// Reports a configuration error of a one-shot run through its callback, as the execution's
/// INVALID_CONFIGURATION error (the caller exits 2 either way). Delivery is best effort, with the
/// callback's usual retries; a failure is logged.
pub fn report_config_error(target: FailureCallback, error: &ConfigError, log: &LogContext) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            log.error(
                "cannot report the configuration error",
                &[("error", e.to_string().into())],
            );
            return;
        }
    };
    let failure = InvocationError::new(ErrorCode::InvalidConfiguration, error.to_string());
    let body = json!({ "success": false, "error": failure.to_error_object() }).to_string();
    let callback = Callback::for_execution(
        &target.base_url,
        &target.execution_id,
        target.trace_id,
        target.token,
    );
    runtime.block_on(async {
        let client = build_client(Resolver::new(target.hosts_file, target.resolv_conf));
        if let Err(problem) = callback.deliver(&client, Bytes::from(body), log).await {
            log.error(
                "configuration error not delivered",
                &[("error", problem.into())],
            );
        }
    });
}

async fn log_termination(log: LogContext) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut terminate) = signal(SignalKind::terminate()) else {
        return;
    };
    while terminate.recv().await.is_some() {
        log.info(
            "SIGTERM received; the running invocation finishes within its timeout",
            &[],
        );
    }
}
