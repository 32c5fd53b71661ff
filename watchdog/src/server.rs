//! Warm mode (`WARM=true`, the DEPLOYMENT case): the HTTP server on HOST:PORT.
//!
//! Routes: `POST /invoke`, `GET /health`, `GET /metrics`. The invoke pipeline, in order:
//! readiness (503 NOT_READY) → admission against MAX_INFLIGHT (429 CONCURRENCY_LIMIT) →
//! headers (400 VALIDATION_FAILED) → body size (413 PAYLOAD_TOO_LARGE) → body shape
//! (400 VALIDATION_FAILED) → run by mode → response, metrics and one log line.

use crate::client::HttpClient;
use crate::config::{Config, ExecutionMode};
use crate::error::{ErrorCode, InvocationError, Origin};
use crate::file::{invoke_file, FilePair};
use crate::http::{forward, RuntimeResponse};
use crate::invocation::{ForwardedHeaders, Invocation};
use crate::log::LogContext;
use crate::metrics::{Metrics, Outcome};
use crate::process::Reaper;
use crate::stdio::invoke_stdio;
use crate::supervisor::stopped;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::value::RawValue;
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
    pid: u32,
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
            pid: std::process::id(),
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
        let invocation = match self.read_invocation(request, started).await {
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

    async fn read_invocation(
        &self,
        request: Request<Incoming>,
        started: Instant,
    ) -> Result<Invocation, InvocationError> {
        let headers = request.headers();
        let execution_id = header(headers, "x-execution-id").unwrap_or_else(|| {
            let n = self.sequence.fetch_add(1, Ordering::Relaxed);
            format!("wd-{}-{n}", self.pid)
        });
        let trace_id = header(headers, "x-trace-id");
        let mut timeout = self.config.timeout;
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

        let body = Limited::new(request.into_body(), self.config.max_body_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    InvocationError::new(
                        ErrorCode::PayloadTooLarge,
                        format!(
                            "request body exceeds MAX_BODY_BYTES ({} bytes)",
                            self.config.max_body_bytes
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
            log: self.log.for_invocation(&execution_id, trace_id.as_deref()),
            execution_id,
            trace_id,
            payload: body,
            timeout,
            deadline: started + timeout,
            forwarded,
        })
    }
}

struct InflightPermit<'a>(&'a AtomicUsize);

impl Drop for InflightPermit<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
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
