//! Warm mode (`WARM=true`, the DEPLOYMENT case): the HTTP server on HOST:PORT.
//!
//! Routes: `POST /invoke`, `GET /health`, `GET /metrics`. The invoke pipeline, in order:
//! readiness (503 NOT_READY) → admission against MAX_INFLIGHT (429 CONCURRENCY_LIMIT) →
//! headers (400 VALIDATION_FAILED) → body size (413 PAYLOAD_TOO_LARGE) → body shape
//! (400 VALIDATION_FAILED; see invocation_request.rs) → run by mode → response, metrics, log.

use crate::client::HttpClient;
use crate::config::{Config, ExecutionMode};
use crate::error::{ErrorCode, InvocationError, Origin};
use crate::file::{invoke_file, FilePair};
use crate::http::{forward, RuntimeResponse};
use crate::invocation::Invocation;
use crate::invocation_request::read_invocation;
use crate::log::LogContext;
use crate::metrics::{Metrics, Outcome};
use crate::process::Reaper;
use crate::stdio::invoke_stdio;
use crate::supervisor::stopped;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::Value;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Instant;

pub struct WarmServer {
    pub config: Arc<Config>,
    pub reaper: Arc<Reaper>,
    pub client: HttpClient,
    pub log: LogContext,
    pub metrics: Arc<Metrics>,
    /// Set by the runtime supervisor in HTTP mode; always true in STDIO/FILE mode.
    pub ready: Arc<AtomicBool>,
    draining: AtomicBool,
    inflight: AtomicUsize,
    sequence: AtomicU64,
    /// Random per process: ids made up here (`wd-<instance>-<n>`) never repeat across pods.
    instance: String,
}

type HttpResponse = Response<Full<Bytes>>;

impl WarmServer {
    pub fn new(
        config: Arc<Config>,
        reaper: Arc<Reaper>,
        client: HttpClient,
        log: LogContext,
        metrics: Arc<Metrics>,
        ready: Arc<AtomicBool>,
    ) -> Self {
        WarmServer {
            config,
            reaper,
            client,
            log,
            metrics,
            ready,
            draining: AtomicBool::new(false),
            inflight: AtomicUsize::new(0),
            sequence: AtomicU64::new(0),
            instance: crate::random_id::random_id(),
        }
    }

    /// Serves until `shutdown` turns true, then drains: stops accepting, reports not ready, and
    /// lets in-flight invocations finish (each is bounded by its own timeout).
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let graceful = GracefulShutdown::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let server = Arc::clone(&self);
                    let service = service_fn(move |request| {
                        let server = Arc::clone(&server);
                        async move { Ok::<_, Infallible>(server.handle(request).await) }
                    });
                    let connection = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                }
                () = stopped(&mut shutdown) => break,
            }
        }
        self.draining.store(true, Ordering::SeqCst);
        drop(listener);
        let inflight = self.inflight.load(Ordering::SeqCst);
        self.log.info("draining", &[("inflight", inflight.into())]);
        // Every invocation ends by its own deadline; the bound is only a safety net.
        let bound = self.config.timeout + self.config.kill_grace + Duration::from_secs(5);
        if tokio::time::timeout(bound, graceful.shutdown())
            .await
            .is_err()
        {
            self.log.warn("drain bound reached; stopping anyway", &[]);
        }
    }

    async fn handle(&self, request: Request<Incoming>) -> HttpResponse {
        let path = request.uri().path();
        match (request.method(), path) {
            (&Method::POST, "/invoke") => self.invoke(request).await,
            (&Method::GET, "/health") => self.health(),
            (&Method::GET, "/metrics") => {
                let text = self.metrics.render(
                    &self.config.function_name,
                    self.inflight.load(Ordering::Relaxed),
                    self.is_ready(),
                );
                Response::builder()
                    .header(CONTENT_TYPE, "text/plain; version=0.0.4")
                    .body(Full::new(Bytes::from(text)))
                    .expect("static response parts are valid")
            }
            (_, "/invoke" | "/health" | "/metrics") => error_response(
                &InvocationError::new(
                    ErrorCode::MethodNotAllowed,
                    format!("{} is not allowed on {path}", request.method()),
                ),
                None,
            ),
            _ => error_response(
                &InvocationError::new(ErrorCode::RouteNotFound, format!("no route for {path}")),
                None,
            ),
        }
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst) && !self.draining.load(Ordering::SeqCst)
    }

    fn health(&self) -> HttpResponse {
        if self.is_ready() {
            return json_response(StatusCode::OK, Bytes::from_static(b"{\"status\":\"ok\"}"));
        }
        error_response(&self.not_ready_error(), None)
    }

    fn not_ready_error(&self) -> InvocationError {
        let why = if self.draining.load(Ordering::SeqCst) {
            "the watchdog is shutting down"
        } else {
            "the runtime is not ready yet"
        };
        InvocationError::new(ErrorCode::NotReady, why)
    }

    async fn invoke(&self, request: Request<Incoming>) -> HttpResponse {
        let started = Instant::now();
        if !self.is_ready() {
            self.metrics.record(Outcome::Rejected, None);
            return error_response(&self.not_ready_error(), None);
        }
        let Some(_permit) = self.admit() else {
            self.metrics.record(Outcome::Rejected, None);
            let error = InvocationError::new(
                ErrorCode::ConcurrencyLimit,
                format!(
                    "{} invocations already in flight (MAX_INFLIGHT)",
                    self.config.max_inflight
                ),
            );
            let mut response = error_response(&error, None);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        };
        let generate_id = || {
            let n = self.sequence.fetch_add(1, Ordering::Relaxed);
            format!("wd-{}-{n}", self.instance)
        };
        let invocation =
            match read_invocation(request, started, &self.config, &self.log, generate_id).await {
                Ok(invocation) => invocation,
                Err(error) => {
                    self.metrics.record(Outcome::Rejected, None);
                    return error_response(&error, None);
                }
            };

        let (response, outcome, code) = self.run(&invocation).await;
        let duration = started.elapsed();
        self.metrics.record(outcome, Some(duration));
        let duration_ms = Value::from(duration.as_secs_f64() * 1000.0);
        match code {
            // Per-invocation success lines would dominate the cost of a fast proxy: debug only.
            None => invocation
                .log
                .debug("invocation finished", &[("durationMs", duration_ms)]),
            Some(code) => invocation.log.warn(
                "invocation failed",
                &[("durationMs", duration_ms), ("code", code.into())],
            ),
        }
        response
    }

    async fn run(&self, invocation: &Invocation) -> (HttpResponse, Outcome, Option<String>) {
        let id = Some(invocation.execution_id.as_str());
        let result = match self.config.mode {
            ExecutionMode::Http => match forward(&self.client, &self.config, invocation).await {
                Ok(response) => {
                    let outcome = match response.status.as_u16() {
                        200..=299 => Outcome::Success,
                        408 => Outcome::Timeout,
                        _ => Outcome::FunctionError,
                    };
                    let code = (outcome != Outcome::Success).then(|| response.status.to_string());
                    return (pass_through(response), outcome, code);
                }
                Err(error) => Err(error),
            },
            ExecutionMode::Stdio => invoke_stdio(&self.config, &self.reaper, invocation).await,
            ExecutionMode::File => {
                let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
                let files = FilePair::unique(&self.config, sequence);
                invoke_file(&self.config, &self.reaper, invocation, &files).await
            }
        };
        match result {
            Ok(output) => {
                let mut response = json_response(StatusCode::OK, output);
                set_execution_id(&mut response, id);
                (response, Outcome::Success, None)
            }
            Err(error) => {
                let outcome = if error.is_timeout() {
                    Outcome::Timeout
                } else {
                    match error.origin() {
                        Origin::Function => Outcome::FunctionError,
                        Origin::Platform => Outcome::PlatformError,
                        Origin::Client => Outcome::Rejected,
                    }
                };
                (error_response(&error, id), outcome, Some(error.code()))
            }
        }
    }

    fn admit(&self) -> Option<InflightPermit<'_>> {
        let max = self.config.max_inflight;
        self.inflight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| InflightPermit(&self.inflight))
    }
}

struct InflightPermit<'a>(&'a AtomicUsize);

impl Drop for InflightPermit<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn json_response(status: StatusCode, body: Bytes) -> HttpResponse {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .expect("static response parts are valid")
}

fn set_execution_id(response: &mut HttpResponse, execution_id: Option<&str>) {
    if let Some(value) = execution_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        response.headers_mut().insert("x-execution-id", value);
    }
}

pub fn error_response(error: &InvocationError, execution_id: Option<&str>) -> HttpResponse {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_response(status, Bytes::from(error.to_body()));
    set_execution_id(&mut response, execution_id);
    response
}

/// Headers that describe one hop, not the message (RFC 9110 §7.6.1); the body length is set
/// again by our own server.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

/// The runtime's status, headers and body, unchanged apart from hop-by-hop headers.
fn pass_through(runtime: RuntimeResponse) -> HttpResponse {
    let mut response = Response::new(Full::new(runtime.body));
    *response.status_mut() = runtime.status;
    let headers = response.headers_mut();
    for (name, value) in &runtime.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            headers.append(HeaderName::clone(name), value.clone());
        }
    }
    response
}
