//! A small stub DNS resolver (RFC 1035): A and AAAA queries over UDP, TCP when the answer is
//! truncated, with the nameservers, search domains and `ndots`/`timeout`/`attempts` options of
//! resolv.conf(5) — what a pod needs to resolve a Service name like `cp` or `cp.nanofaas.svc`.
//! Written here rather than pulled in because a full resolver crate more than doubled the
//! binary (Unicode tables, caches) for a handful of lookups per run.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

const TYPE_A: u16 = 1;
const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;
const RCODE_NXDOMAIN: u8 = 3;

/// The parts of resolv.conf the resolver uses.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvConf {
    pub nameservers: Vec<IpAddr>,
    pub search: Vec<String>,
    pub ndots: usize,
    pub timeout: Duration,
    pub attempts: usize,
}

impl ResolvConf {
    pub fn parse(text: &str) -> ResolvConf {
        let mut conf = ResolvConf {
            nameservers: Vec::new(),
            search: Vec::new(),
            ndots: 1,
            timeout: Duration::from_secs(5),
            attempts: 2,
        };
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            match fields.next() {
                Some("nameserver") => {
                    let address = fields.next().unwrap_or_default();
                    let address = address.split('%').next().unwrap_or_default();
                    if let Ok(ip) = address.parse() {
                        conf.nameservers.push(ip);
                    }
                }
                Some("search" | "domain") => {
                    conf.search = fields
                        .map(|d| d.trim_end_matches('.').to_string())
                        .collect();
                }
                Some("options") => {
                    for option in fields {
                        let (name, value) = option.split_once(':').unwrap_or((option, ""));
                        let value = value.parse::<u64>().ok();
                        match (name, value) {
                            ("ndots", Some(n)) => conf.ndots = n.min(15) as usize,
                            ("timeout", Some(n)) => {
                                conf.timeout = Duration::from_secs(n.clamp(1, 30))
                            }
                            ("attempts", Some(n)) => conf.attempts = n.clamp(1, 5) as usize,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if conf.nameservers.is_empty() {
            // resolv.conf(5): without a nameserver line the local server is used.
            conf.nameservers.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        conf
    }

    /// The names to try, in order (resolv.conf(5) "search" and "ndots").
    pub fn candidates(&self, name: &str) -> Vec<String> {
        if let Some(absolute) = name.strip_suffix('.') {
            return vec![absolute.to_string()];
        }
        let searched = self.search.iter().map(|domain| format!("{name}.{domain}"));
        if name.matches('.').count() >= self.ndots {
            std::iter::once(name.to_string()).chain(searched).collect()
        } else {
            searched.chain(std::iter::once(name.to_string())).collect()
        }
    }
}

/// Resolves `name` to its IPv4 addresses, or IPv6 when it has none.
pub async fn resolve(conf: &ResolvConf, name: &str) -> io::Result<Vec<IpAddr>> {
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, "no such host");
    for candidate in conf.candidates(name) {
        for record_type in [TYPE_A, TYPE_AAAA] {
            match query(conf, &candidate, record_type).await {
                Ok(addrs) if !addrs.is_empty() => return Ok(addrs),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => break, // NXDOMAIN: next name
                Err(e) => last_error = e,
            }
        }
    }
    Err(last_error)
}

/// One question to the nameservers, each tried `attempts` times.
async fn query(conf: &ResolvConf, name: &str, record_type: u16) -> io::Result<Vec<IpAddr>> {
    let id = query_id();
    let message = encode_query(id, name, record_type)?;
    let mut last_error = io::Error::new(io::ErrorKind::TimedOut, "no nameserver answered");
    for _ in 0..conf.attempts {
        for server in &conf.nameservers {
            let server = SocketAddr::new(*server, 53);
            let answer =
                match tokio::time::timeout(conf.timeout, exchange(server, &message, id)).await {
                    Ok(Ok(answer)) => answer,
                    Ok(Err(e)) => {
                        last_error = e;
                        continue;
                    }
                    Err(_) => continue,
                };
            return match parse_answer(&answer, id, record_type)? {
                Answer::Addresses(addrs) => Ok(addrs),
                Answer::NoSuchName => Err(io::Error::new(io::ErrorKind::NotFound, "NXDOMAIN")),
            };
        }
    }
    Err(last_error)
}

async fn exchange(server: SocketAddr, message: &[u8], id: u16) -> io::Result<Vec<u8>> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    socket.send(message).await?;
    let mut buffer = vec![0u8; 4096];
    loop {
        let n = socket.recv(&mut buffer).await?;
        let answer = &buffer[..n];
        if n < 12 || u16::from_be_bytes([answer[0], answer[1]]) != id {
            continue; // not our answer; keep waiting until the timeout
        }
        let truncated = answer[2] & 0x02 != 0;
        if !truncated {
            return Ok(answer.to_vec());
        }
        return exchange_tcp(server, message).await;
    }
}

async fn exchange_tcp(server: SocketAddr, message: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(server).await?;
    let mut framed = (message.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(message);
    stream.write_all(&framed).await?;
    let length = stream.read_u16().await?;
    let mut answer = vec![0u8; usize::from(length)];
    stream.read_exact(&mut answer).await?;
    Ok(answer)
}

/// A query id that is hard to guess (RFC 5452): clock nanoseconds mixed with the pid and a
/// counter; no cryptographic strength is needed for a cluster-internal lookup.
fn query_id() -> u16 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos() as u64;
    let mut x = nanos
        ^ (u64::from(std::process::id()) << 16)
        ^ COUNTER.fetch_add(0x9E37_79B9, Ordering::Relaxed);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x as u16
}

pub fn encode_query(id: u16, name: &str, record_type: u16) -> io::Result<Vec<u8>> {
    let mut message = Vec::with_capacity(32 + name.len());
    message.extend_from_slice(&id.to_be_bytes());
    message.extend_from_slice(&[0x01, 0x00]); // standard query, recursion desired
    message.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in name.split('.').filter(|label| !label.is_empty()) {
        if label.len() > 63 || !label.is_ascii() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{name:?} is not a valid host name"),
            ));
        }
        message.push(label.len() as u8);
        message.extend_from_slice(label.as_bytes());
    }
    message.push(0);
    message.extend_from_slice(&record_type.to_be_bytes());
    message.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(message)
}

#[derive(Debug, PartialEq)]
pub enum Answer {
    Addresses(Vec<IpAddr>),
    NoSuchName,
}

fn malformed() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "malformed DNS answer")
}

/// The addresses of type `record_type` in an answer (CNAME records are skipped: a recursive
/// server also returns the records of the name they point to).
pub fn parse_answer(message: &[u8], id: u16, record_type: u16) -> io::Result<Answer> {
    if message.len() < 12 || u16::from_be_bytes([message[0], message[1]]) != id {
        return Err(malformed());
    }
    let rcode = message[3] & 0x0f;
    if rcode == RCODE_NXDOMAIN {
        return Ok(Answer::NoSuchName);
    }
    if rcode != 0 {
        return Err(io::Error::other(format!(
            "DNS server answered rcode {rcode}"
        )));
    }
    let questions = u16::from_be_bytes([message[4], message[5]]);
    let answers = u16::from_be_bytes([message[6], message[7]]);
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(message, at)? + 4;
    }
    let mut addrs = Vec::new();
    for _ in 0..answers {
        at = skip_name(message, at)?;
        let header = message.get(at..at + 10).ok_or_else(malformed)?;
        let rtype = u16::from_be_bytes([header[0], header[1]]);
        let length = usize::from(u16::from_be_bytes([header[8], header[9]]));
        let data = message
            .get(at + 10..at + 10 + length)
            .ok_or_else(malformed)?;
        at += 10 + length;
        if rtype != record_type {
            continue;
        }
        match (rtype, data.len()) {
            (TYPE_A, 4) => addrs.push(IpAddr::from(<[u8; 4]>::try_from(data).unwrap())),
            (TYPE_AAAA, 16) => addrs.push(IpAddr::from(<[u8; 16]>::try_from(data).unwrap())),
            _ => return Err(malformed()),
        }
    }
    Ok(Answer::Addresses(addrs))
}

/// Returns the offset just past the (possibly compressed) name starting at `at`.
fn skip_name(message: &[u8], mut at: usize) -> io::Result<usize> {
    loop {
        let length = *message.get(at).ok_or_else(malformed)?;
        match length {
            0 => return Ok(at + 1),
            l if l & 0xc0 == 0xc0 => return Ok(at + 2),
            l => at += 1 + usize::from(l),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_is_parsed_like_a_pod_would() {
        let conf = ResolvConf::parse(
            "search nanofaas.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 10.96.0.10\nnameserver fe80::1%eth0\noptions ndots:5 timeout:2 attempts:3\n",
        );
        assert_eq!(conf.nameservers.len(), 2);
        assert_eq!(conf.ndots, 5);
        assert_eq!(conf.timeout, Duration::from_secs(2));
        assert_eq!(conf.attempts, 3);
        assert_eq!(
            conf.candidates("cp"),
            [
                "cp.nanofaas.svc.cluster.local",
                "cp.svc.cluster.local",
                "cp.cluster.local",
                "cp"
            ]
        );
        assert_eq!(conf.candidates("cp.example.com."), vec!["cp.example.com"]);
        let conf = ResolvConf::parse("");
        assert_eq!(conf.nameservers, vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        assert_eq!(conf.candidates("a.b"), vec!["a.b"]);
    }

    #[test]
    fn answers_with_compression_and_cnames_are_parsed() {
        let query = encode_query(0x1234, "cp.ns.svc", TYPE_A).unwrap();
        let mut answer = query.clone();
        answer[2] = 0x81;
        answer[3] = 0x80;
        answer[7] = 2; // two answers
                       // CNAME pointing elsewhere, then the A record, both with a pointer to the question name.
        answer.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12]);
        answer.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7]);
        assert_eq!(
            parse_answer(&answer, 0x1234, TYPE_A).unwrap(),
            Answer::Addresses(vec!["10.0.0.7".parse().unwrap()])
        );
        let mut nx = query.clone();
        nx[3] = 0x83;
        assert_eq!(
            parse_answer(&nx, 0x1234, TYPE_A).unwrap(),
            Answer::NoSuchName
        );
        assert!(parse_answer(&answer[..answer.len() - 2], 0x1234, TYPE_A).is_err());
        assert!(parse_answer(&answer, 0x9999, TYPE_A).is_err());
    }
}
