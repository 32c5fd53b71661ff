//! Host name resolution without glibc: a static glibc binary cannot use getaddrinfo in a
//! `FROM scratch` image (NSS needs shared libraries that are not there), so names are looked up
//! in the hosts file first (HOSTS_FILE, default /etc/hosts) and then over DNS with the servers
//! and search domains of RESOLV_CONF (default /etc/resolv.conf), which is how a Kubernetes
//! Service name such as `cp` or `cp.nanofaas.svc` resolves inside a pod.

use crate::dns::{resolve, ResolvConf};
use hyper_util::client::legacy::connect::dns::Name;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

#[derive(Clone)]
pub struct Resolver {
    inner: Arc<Inner>,
}

struct Inner {
    hosts_file: PathBuf,
    resolv_conf: PathBuf,
}

impl Resolver {
    pub fn new(hosts_file: PathBuf, resolv_conf: PathBuf) -> Self {
        Resolver {
            inner: Arc::new(Inner {
                hosts_file,
                resolv_conf,
            }),
        }
    }

    /// Addresses of `host`: an IP literal, a hosts-file entry, `localhost`, or a DNS answer.
    pub async fn lookup(&self, host: &str) -> io::Result<Vec<IpAddr>> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let from_hosts = lookup_hosts_file(&self.inner.hosts_file, host);
        if !from_hosts.is_empty() {
            return Ok(from_hosts);
        }
        if host.eq_ignore_ascii_case("localhost") {
            return Ok(vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ]);
        }
        // Read on every lookup: lookups are rare (a callback, a new runtime connection) and the
        // file can change under a running pod.
        let conf = std::fs::read_to_string(&self.inner.resolv_conf).map_err(|e| {
            io::Error::other(format!(
                "cannot resolve {host:?}: cannot read {}: {e}",
                self.inner.resolv_conf.display()
            ))
        })?;
        resolve(&ResolvConf::parse(&conf), host)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("cannot resolve {host:?}: {e}")))
    }
}

/// Addresses for `host` in a hosts(5) file; a missing or unreadable file has no entries.
pub fn lookup_hosts_file(path: &Path, host: &str) -> Vec<IpAddr> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut addrs = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_whitespace();
        let Some(Ok(ip)) = fields.next().map(str::parse::<IpAddr>) else {
            continue;
        };
        if fields.any(|name| name.eq_ignore_ascii_case(host)) && !addrs.contains(&ip) {
            addrs.push(ip);
        }
    }
    addrs
}

/// Lets hyper-util's HTTP connector use this resolver.
impl tower_service::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let resolver = self.clone();
        Box::pin(async move {
            let addrs = resolver.lookup(name.as_str()).await?;
            Ok(addrs
                .into_iter()
                .map(|ip| SocketAddr::new(ip, 0))
                .collect::<Vec<_>>()
                .into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_file_entries_match_any_alias() {
        let dir = std::env::temp_dir().join(format!("watchdog-hosts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hosts");
        std::fs::write(
            &path,
            "# comment\n127.0.0.1 localhost\n10.1.2.3  cp cp.nanofaas.svc # control plane\n::1 cp\n",
        )
        .unwrap();
        assert_eq!(
            lookup_hosts_file(&path, "CP.nanofaas.svc"),
            vec!["10.1.2.3".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(lookup_hosts_file(&path, "cp").len(), 2);
        assert!(lookup_hosts_file(&path, "other").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
