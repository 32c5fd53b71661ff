//! The HTTP client shared by the runtime proxy, health checks and the callback: pooled keep-alive
//! HTTP/1.1 connections, names resolved by our own resolver.

use crate::resolver::Resolver;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

pub type HttpClient = Client<HttpConnector<Resolver>, Full<Bytes>>;

pub fn build_client(resolver: Resolver) -> HttpClient {
    let mut connector = HttpConnector::new_with_resolver(resolver);
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(connector)
}

/// hyper-util's error hides its cause (e.g. a refused connection or a failed name lookup) behind
/// "client error (Connect)"; the chain is what an operator needs.
pub fn describe_client_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
