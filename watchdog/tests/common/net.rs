//! Loopback networking for the tests: a tiny blocking HTTP client, a callback server, a DNS
//! server, and the Node runtime used in HTTP mode.

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::next_id;

pub struct HttpResponse {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The error code of a watchdog error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// One HTTP/1.1 request on a fresh connection (Connection: close). Status 0 if the connection
/// was refused or broke.
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let failed = HttpResponse {
        status: 0,
        headers: HashMap::new(),
        body: Vec::new(),
    };
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return failed;
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    if stream.write_all(request.as_bytes()).is_err() || stream.write_all(body).is_err() {
        return failed;
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() && raw.is_empty() {
        return failed;
    }
    parse_response(&raw).unwrap_or(failed)
}

fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = HashMap::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let mut body = raw[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Some(HttpResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap_or("0").trim(), 16)
                .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

/// A request the callback server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A real HTTP server on loopback that answers each request with the next status from a script
/// (the last one repeats) and records what it received.
pub struct CallbackServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl CallbackServer {
    pub fn start(statuses: &[u16]) -> CallbackServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let statuses = statuses.to_vec();
        let record = Arc::clone(&received);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let n = record.lock().unwrap().len();
                let status = *statuses.get(n).or(statuses.last()).unwrap();
                if let Some(request) = serve_one(stream, status) {
                    record.lock().unwrap().push(request);
                }
            }
        });
        CallbackServer { port, received }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve_one(stream: TcpStream, status: u16) -> Option<Received> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut stream = stream;
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    stream.write_all(reply.as_bytes()).ok()?;
    Some(Received {
        method,
        path,
        headers,
        body,
    })
}

/// A free loopback port (bound, then released) for a runtime the watchdog starts.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A tiny Node HTTP runtime: GET /health, POST /invoke echoing the request and some headers.
/// Special inputs: "die" exits mid-request, "fail" answers 500 with an error object, "slow" waits
/// 1.5 s, "created" answers 201 with a custom header. Writes its pid to $PID_FILE if set.
pub const NODE_RUNTIME: &str = r#"
const http = require('node:http');
const fs = require('node:fs');
if (process.env.PID_FILE) fs.writeFileSync(process.env.PID_FILE, String(process.pid));
const server = http.createServer((req, res) => {
  if (req.url === '/health') { res.end('{"status":"ok"}'); return; }
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const request = JSON.parse(body);
    const reply = (status, value, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const input = request.input;
    if (input === 'die') process.exit(7);
    if (input === 'fail') return reply(500, { error: { code: 'HANDLER_ERROR', message: 'boom', origin: 'function', retryable: false } });
    if (input === 'created') return reply(201, { created: true }, { 'x-custom': 'yes' });
    const answer = () => reply(200, {
      input,
      pid: process.pid,
      executionId: req.headers['x-execution-id'] ?? null,
      traceId: req.headers['x-trace-id'] ?? null,
      traceparent: req.headers['traceparent'] ?? null,
      attempt: req.headers['x-dispatch-attempt'] ?? null,
      timeoutMs: req.headers['x-timeout-ms'] ?? null,
      env: { PORT: process.env.PORT, HOST: process.env.HOST, FUNCTION_NAME: process.env.FUNCTION_NAME },
    });
    if (input === 'slow') setTimeout(answer, 1500); else answer();
  });
});
server.listen(Number(process.env.PORT), process.env.HOST);
"#;

/// A real DNS server on UDP port 53 of a loopback address (resolv.conf has no port syntax) that
/// answers A queries for the names in `records` and NXDOMAIN for anything else. None when port
/// 53 cannot be bound (not root).
pub struct DnsServer {
    pub address: std::net::Ipv4Addr,
    pub queries: Arc<Mutex<Vec<String>>>,
}

impl DnsServer {
    pub fn start(records: &[(&str, std::net::Ipv4Addr)]) -> Option<DnsServer> {
        let seed = std::process::id() as u8;
        let address = std::net::Ipv4Addr::new(127, 53, seed, 1 + (next_id() % 250) as u8);
        let socket = std::net::UdpSocket::bind((address, 53)).ok()?;
        let records: HashMap<String, std::net::Ipv4Addr> = records
            .iter()
            .map(|(name, ip)| (name.to_string(), *ip))
            .collect();
        let queries = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&queries);
        thread::spawn(move || {
            let mut buffer = [0u8; 512];
            while let Ok((n, peer)) = socket.recv_from(&mut buffer) {
                let query = &buffer[..n];
                let (name, end) = read_name(query, 12);
                let qtype = u16::from_be_bytes([query[end], query[end + 1]]);
                log.lock().unwrap().push(format!("{name} {qtype}"));
                let mut answer = query[..end + 4].to_vec();
                answer[2] = 0x81;
                match records.get(&name) {
                    Some(ip) if qtype == 1 => {
                        answer[3] = 0x80;
                        answer[7] = 1;
                        answer.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]);
                        answer.extend_from_slice(&ip.octets());
                    }
                    Some(_) => answer[3] = 0x80,
                    None => answer[3] = 0x83,
                }
                let _ = socket.send_to(&answer, peer);
            }
        });
        Some(DnsServer { address, queries })
    }
}

fn read_name(message: &[u8], mut at: usize) -> (String, usize) {
    let mut labels = Vec::new();
    while message[at] != 0 {
        let length = message[at] as usize;
        labels.push(String::from_utf8_lossy(&message[at + 1..at + 1 + length]).into_owned());
        at += 1 + length;
    }
    (labels.join("."), at + 1)
}
