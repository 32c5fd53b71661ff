//! Warm runs (`WARM=true`, the DEPLOYMENT case): the HTTP server, each mode with real children,
//! admission, the runtime proxy and its restarts, and the SIGTERM drain.

mod common;

use common::*;
use serde_json::json;
use std::thread;
use std::time::Duration;

fn node_runtime(dir: &TempDir) -> (String, String) {
    let runtime = dir.file("runtime.js", NODE_RUNTIME);
    (format!("node {runtime}"), free_port().to_string())
}

#[test]
fn stdio_runs_the_command_per_invocation_with_request_headers_in_its_env() {
    let dir = TempDir::new("warm-stdio");
    let script = dir.file(
        "handler.py",
        "import json, os, sys\n\
         request = json.load(sys.stdin)\n\
         print(json.dumps({'request': request, 'pid': os.getpid(), \
         'executionId': os.environ['EXECUTION_ID'], 'traceId': os.environ.get('TRACE_ID'), \
         'timeoutMs': int(os.environ['TIMEOUT_MS'])}))\n",
    );
    let command = format!("python3 {script}");
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &command),
            ("TIMEOUT_MS", "10000"),
        ],
        &dir,
    );
    assert_eq!(watchdog.get("/health").status, 200);

    let body = r#"{"input":{"n":1},"metadata":{"source":"test"}}"#;
    let first = watchdog.invoke(&[("X-Execution-Id", "e-1"), ("X-Trace-Id", "t-1")], body);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("x-execution-id"), Some("e-1"));
    let output = first.json();
    assert_eq!(
        output["request"],
        json!({"input": {"n": 1}, "metadata": {"source": "test"}})
    );
    assert_eq!(output["executionId"], "e-1");
    assert_eq!(output["traceId"], "t-1");
    let timeout_ms = output["timeoutMs"].as_u64().unwrap();
    assert!(timeout_ms > 0 && timeout_ms <= 10_000);

    let second = watchdog.invoke(&[("X-Execution-Id", "e-2"), ("X-Timeout-Ms", "3000")], body);
    assert_eq!(second.status, 200);
    let output2 = second.json();
    assert_ne!(
        output["pid"], output2["pid"],
        "a fresh process per invocation"
    );
    assert!(
        output2["timeoutMs"].as_u64().unwrap() <= 3000,
        "X-Timeout-Ms lowers the timeout"
    );

    let metrics = watchdog.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = metrics.text();
    assert!(
        text.contains(r#"watchdog_invocations_total{function="function",outcome="success"} 2"#),
        "{text}"
    );
    assert!(text.contains(r#"watchdog_invocation_duration_seconds_count{function="function"} 2"#));
    assert!(text.contains(r#"watchdog_inflight_invocations{function="function"} 0"#));
    assert!(watchdog.zombie_children().is_empty());
}

#[test]
fn stdio_errors_map_to_the_catalogue_statuses() {
    let dir = TempDir::new("warm-errors");
    let script = dir.script(
        "handler.sh",
        "#!/bin/sh\n\
         read -r line\n\
         case \"$line\" in\n\
           *crash*) echo 'it broke' >&2; exit 4 ;;\n\
           *garbage*) echo 'not json' ;;\n\
           *reported*) echo '{\"error\":{\"code\":\"NOPE\",\"message\":\"said no\"}}'; exit 1 ;;\n\
           *huge*) head -c 50000 /dev/zero | tr '\\0' 'a' ;;\n\
           *slow*) sleep 5; echo '{}' ;;\n\
           *) echo '{\"ok\":true}' ;;\n\
         esac\n",
    );
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("MAX_OUTPUT_BYTES", "10000"),
            ("MAX_BODY_BYTES", "1000"),
        ],
        &dir,
    );
    let cases = [
        (r#"{"input":"crash"}"#, 500, "FUNCTION_FAILED"),
        (r#"{"input":"garbage"}"#, 500, "INVALID_OUTPUT"),
        (r#"{"input":"reported"}"#, 500, "NOPE"),
        (r#"{"input":"huge"}"#, 500, "OUTPUT_TOO_LARGE"),
        (r#"{"input":"ok"}"#, 200, ""),
        (r#"{"nope":1}"#, 400, "VALIDATION_FAILED"),
        (r#"not json"#, 400, "MALFORMED_JSON"),
    ];
    for (body, status, code) in cases {
        let response = watchdog.invoke(&[], body);
        assert_eq!(response.status, status, "{body}: {}", response.text());
        if status != 200 {
            assert_eq!(response.error_code(), code, "{body}");
            assert_eq!(response.header("content-type"), Some("application/json"));
        }
    }
    let crash = watchdog.invoke(&[], r#"{"input":"crash"}"#).json();
    assert!(crash["error"]["message"]
        .as_str()
        .unwrap()
        .contains("it broke"));

    let timeout = watchdog.invoke(&[("X-Timeout-Ms", "300")], r#"{"input":"slow"}"#);
    assert_eq!(timeout.status, 408, "{}", timeout.text());
    assert_eq!(timeout.error_code(), "TIMEOUT");
    assert_eq!(timeout.json()["error"]["retryable"], true);

    let bad_header = watchdog.invoke(&[("X-Timeout-Ms", "soon")], r#"{"input":1}"#);
    assert_eq!(bad_header.status, 400);
    let error = &bad_header.json()["error"];
    assert_eq!(error["origin"], "client");
    assert_eq!(error["issues"][0]["field"], "headers.x-timeout-ms");

    let missing_input = watchdog.invoke(&[], r#"{"inputs":1}"#).json();
    assert_eq!(missing_input["error"]["issues"][0]["field"], "input");
    assert_eq!(missing_input["error"]["issues"][0]["rule"], "required");

    let big = format!(r#"{{"input":"{}"}}"#, "x".repeat(2000));
    let too_large = watchdog.invoke(&[], &big);
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.error_code(), "PAYLOAD_TOO_LARGE");

    assert_eq!(watchdog.get("/nowhere").status, 404);
    assert_eq!(watchdog.get("/invoke").status, 405);
    let metrics = watchdog.get("/metrics").text();
    assert!(metrics.contains(r#"outcome="timeout"} 1"#), "{metrics}");
    assert!(
        metrics.contains(r#"outcome="function_error"} 5"#),
        "{metrics}"
    );
    assert!(watchdog.zombie_children().is_empty());
}

#[test]
fn missing_command_in_warm_stdio_is_502_spawn_failed() {
    let dir = TempDir::new("warm-missing");
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "/no/such/binary"),
        ],
        &dir,
    );
    let response = watchdog.invoke(&[], r#"{"input":1}"#);
    assert_eq!(response.status, 502);
    assert_eq!(response.error_code(), "SPAWN_FAILED");
    assert_eq!(response.json()["error"]["origin"], "platform");
}

#[test]
fn file_mode_uses_a_fresh_file_pair_per_invocation_and_removes_it() {
    let dir = TempDir::new("warm-file");
    let work = TempDir::new("warm-file-work");
    let script = dir.script(
        "process.sh",
        "#!/bin/sh\nprintf '{\"input_file\":\"%s\",\"request\":%s}' \"$INPUT_FILE\" \"$(cat \"$INPUT_FILE\")\" > \"$OUTPUT_FILE\"\n",
    );
    let input = work.path("input.json").display().to_string();
    let output = work.path("output.json").display().to_string();
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "FILE"),
            ("WATCHDOG_CMD", &script),
            ("INPUT_FILE", &input),
            ("OUTPUT_FILE", &output),
        ],
        &dir,
    );
    let first = watchdog.invoke(&[], r#"{"input":"a"}"#);
    let second = watchdog.invoke(&[], r#"{"input":"b"}"#);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["request"], json!({"input": "a"}));
    assert_eq!(second.json()["request"], json!({"input": "b"}));
    let first_file = first.json()["input_file"].as_str().unwrap().to_string();
    let second_file = second.json()["input_file"].as_str().unwrap().to_string();
    assert_ne!(first_file, second_file);
    assert!(first_file.starts_with(&work.0.display().to_string()));
    assert!(
        work.list().is_empty(),
        "files are removed: {:?}",
        work.list()
    );
}

#[test]
fn requests_beyond_max_inflight_get_429_with_retry_after() {
    let dir = TempDir::new("warm-inflight");
    let marker = dir.path("started").display().to_string();
    let release = dir.path("release");
    // Each invocation runs until the test creates the release file: no timing assumptions.
    let script = dir.script(
        "slow.sh",
        &format!(
            "#!/bin/sh\ncat > /dev/null\necho started >> {marker}\n\
             while [ ! -f {release} ]; do sleep 0.02; done\necho '{{\"slow\":true}}'\n",
            release = release.display()
        ),
    );
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("MAX_INFLIGHT", "2"),
        ],
        &dir,
    );
    let port = watchdog.port;
    let in_flight: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(move || http_request(port, "POST", "/invoke", &[], br#"{"input":1}"#))
        })
        .collect();
    // Both admitted invocations are running before the third request arrives.
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::fs::read_to_string(&marker)
        .unwrap_or_default()
        .lines()
        .count()
        < 2
    {
        assert!(
            std::time::Instant::now() < deadline,
            "invocations never started"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let rejected = watchdog.invoke(&[], r#"{"input":1}"#);
    assert_eq!(rejected.status, 429);
    assert_eq!(rejected.error_code(), "CONCURRENCY_LIMIT");
    assert_eq!(rejected.header("retry-after"), Some("1"));
    assert_eq!(rejected.json()["error"]["retryable"], true);
    std::fs::write(&release, "").unwrap();
    for handle in in_flight {
        let response = handle.join().unwrap();
        assert_eq!(response.status, 200, "{}", response.text());
    }
    assert_eq!(
        watchdog.invoke(&[], r#"{"input":1}"#).status,
        200,
        "admitted again once free"
    );
}

#[test]
fn warm_timeout_kills_a_child_that_ignores_sigterm() {
    let dir = TempDir::new("warm-timeout");
    let pid_file = dir.path("pid").display().to_string();
    let script = dir.script(
        "stubborn.sh",
        &format!(
            "#!/bin/sh\ntrap '' TERM\necho $$ > {pid_file}\nwhile true; do sleep 0.05; done\n"
        ),
    );
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("TIMEOUT_MS", "2000"),
        ],
        &dir,
    );
    let response = watchdog.invoke(&[], r#"{"input":1}"#);
    assert_eq!(response.status, 408);
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_gone(pid);
    thread::sleep(Duration::from_millis(200));
    assert!(
        watchdog.zombie_children().is_empty(),
        "the watchdog reaps what it kills"
    );
}

#[test]
fn http_mode_proxies_to_the_runtime_and_passes_its_answers_through() {
    let dir = TempDir::new("warm-http");
    let (command, runtime_port) = node_runtime(&dir);
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "HTTP"),
            ("WATCHDOG_CMD", &command),
            ("RUNTIME_PORT", &runtime_port),
            ("FUNCTION_NAME", "node-fn"),
        ],
        &dir,
    );
    watchdog.wait_ready();

    let response = watchdog.invoke(
        &[
            ("X-Execution-Id", "e-http"),
            ("X-Trace-Id", "t-http"),
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
            ("X-Dispatch-Attempt", "2"),
            ("X-Timeout-Ms", "5000"),
        ],
        r#"{"input":"hi","metadata":{}}"#,
    );
    assert_eq!(response.status, 200, "{}", response.text());
    let output = response.json();
    assert_eq!(output["input"], "hi");
    assert_eq!(output["executionId"], "e-http");
    assert_eq!(output["traceId"], "t-http");
    assert_eq!(
        output["traceparent"],
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    );
    assert_eq!(output["attempt"], "2");
    let timeout_ms: u64 = output["timeoutMs"].as_str().unwrap().parse().unwrap();
    assert!(timeout_ms > 0 && timeout_ms <= 5000);
    assert_eq!(
        output["env"],
        json!({"PORT": runtime_port, "HOST": "127.0.0.1", "FUNCTION_NAME": "node-fn"})
    );

    let created = watchdog.invoke(&[], r#"{"input":"created"}"#);
    assert_eq!(created.status, 201);
    assert_eq!(created.header("x-custom"), Some("yes"));
    assert_eq!(created.text(), r#"{"created":true}"#);

    let failed = watchdog.invoke(&[], r#"{"input":"fail"}"#);
    assert_eq!(failed.status, 500);
    assert_eq!(
        failed.json(),
        json!({"error": {"code": "HANDLER_ERROR", "message": "boom", "origin": "function", "retryable": false}})
    );

    let slow = watchdog.invoke(&[("X-Timeout-Ms", "200")], r#"{"input":"slow"}"#);
    assert_eq!(slow.status, 408);
    assert_eq!(slow.error_code(), "TIMEOUT");

    // Several connections at once share the runtime's keep-alive pool.
    let port = watchdog.port;
    let parallel: Vec<_> = (0..8)
        .map(|i| {
            thread::spawn(move || {
                http_request(
                    port,
                    "POST",
                    "/invoke",
                    &[],
                    format!(r#"{{"input":{i}}}"#).as_bytes(),
                )
            })
        })
        .collect();
    for (i, handle) in parallel.into_iter().enumerate() {
        let response = handle.join().unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.json()["input"], i);
    }
}

#[test]
fn http_runtime_that_dies_is_reported_and_restarted() {
    let dir = TempDir::new("warm-restart");
    let (command, runtime_port) = node_runtime(&dir);
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "HTTP"),
            ("WATCHDOG_CMD", &command),
            ("RUNTIME_PORT", &runtime_port),
        ],
        &dir,
    );
    watchdog.wait_ready();
    let before = watchdog.invoke(&[], r#"{"input":1}"#).json()["pid"]
        .as_i64()
        .unwrap();

    let died = watchdog.invoke(&[], r#"{"input":"die"}"#);
    assert_eq!(died.status, 502, "{}", died.text());
    assert_eq!(died.error_code(), "RUNTIME_UNAVAILABLE");
    assert_eq!(died.json()["error"]["retryable"], true);
    assert_gone(before as i32);

    // The supervisor notices the exit, restarts the runtime and reports ready again.
    let deadline = std::time::Instant::now() + PATIENCE;
    while !watchdog.log_text().contains("runtime exited; restarting") {
        assert!(std::time::Instant::now() < deadline, "exit never noticed");
        thread::sleep(Duration::from_millis(20));
    }
    watchdog.wait_ready();
    let after = watchdog.invoke(&[], r#"{"input":2}"#);
    assert_eq!(after.status, 200, "{}", after.text());
    assert_ne!(
        after.json()["pid"].as_i64().unwrap(),
        before,
        "a new runtime process"
    );
    let metrics = watchdog.get("/metrics").text();
    assert!(
        metrics.contains(r#"watchdog_runtime_restarts_total{function="function"} 1"#),
        "{metrics}"
    );
    assert!(watchdog.zombie_children().is_empty());
}

#[test]
fn http_mode_is_not_ready_until_the_runtime_answers_its_health_check() {
    let dir = TempDir::new("warm-notready");
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "HTTP"),
            ("WATCHDOG_CMD", "sleep 30"),
            ("RUNTIME_PORT", &free_port().to_string()),
        ],
        &dir,
    );
    let health = watchdog.get("/health");
    assert_eq!(health.status, 503);
    assert_eq!(health.error_code(), "NOT_READY");
    let response = watchdog.invoke(&[], r#"{"input":1}"#);
    assert_eq!(response.status, 503);
    assert_eq!(response.json()["error"]["retryable"], true);
    assert!(watchdog
        .get("/metrics")
        .text()
        .contains(r#"watchdog_ready{function="function"} 0"#));
}

#[test]
fn sigterm_drains_in_flight_invocations_then_exits_without_leftovers() {
    let dir = TempDir::new("warm-drain");
    let marker = dir.path("started").display().to_string();
    let pid_file = dir.path("pid").display().to_string();
    let script = dir.script(
        "slow.sh",
        &format!("#!/bin/sh\ncat > /dev/null\necho $$ > {pid_file}\necho started > {marker}\nsleep 1\necho '{{\"finished\":true}}'\n"),
    );
    let mut watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("MAX_INFLIGHT", "4"),
        ],
        &dir,
    );
    let port = watchdog.port;
    let in_flight =
        thread::spawn(move || http_request(port, "POST", "/invoke", &[], br#"{"input":1}"#));
    wait_for_file(std::path::Path::new(&marker));
    let child_pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    watchdog.signal(libc::SIGTERM);
    // Stops accepting: new connections are refused (or answered 503 while closing).
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let health = watchdog.get("/health");
        if health.status == 0 || health.status == 503 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still accepting after SIGTERM"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let response = in_flight.join().unwrap();
    assert_eq!(
        response.status,
        200,
        "the in-flight invocation finishes: {}",
        response.text()
    );
    assert_eq!(response.json(), json!({"finished": true}));
    assert_eq!(watchdog.wait_exit(), 0);
    assert_gone(child_pid);
    let messages: Vec<String> = watchdog
        .log_lines()
        .iter()
        .map(|line| line["msg"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(messages.contains(&"draining".to_string()));
    assert_eq!(messages.last().map(String::as_str), Some("stopped"));
}

/// A ready warm watchdog in HTTP mode over the test Node runtime, and the runtime's pid.
fn start_ready_http_watchdog(dir: &TempDir) -> (Watchdog, i32) {
    let (command, runtime_port) = node_runtime(dir);
    let pid_file = dir.path("runtime.pid").display().to_string();
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "HTTP"),
            ("WATCHDOG_CMD", &command),
            ("RUNTIME_PORT", &runtime_port),
            ("PID_FILE", &pid_file),
        ],
        dir,
    );
    watchdog.wait_ready();
    let runtime_pid: i32 = wait_for_file(std::path::Path::new(&pid_file))
        .trim()
        .parse()
        .unwrap();
    (watchdog, runtime_pid)
}

#[test]
fn sigterm_in_http_mode_finishes_the_request_then_stops_the_runtime() {
    let dir = TempDir::new("warm-http-drain");
    let (mut watchdog, runtime_pid) = start_ready_http_watchdog(&dir);
    let port = watchdog.port;
    let in_flight =
        thread::spawn(move || http_request(port, "POST", "/invoke", &[], br#"{"input":"slow"}"#));
    wait_for_inflight(&watchdog, 1);
    watchdog.signal(libc::SIGTERM);
    let response = in_flight.join().unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["input"], "slow");
    assert_eq!(watchdog.wait_exit(), 0);
    assert_gone(runtime_pid);
}

#[test]
fn http_runtime_does_not_outlive_a_killed_watchdog() {
    let dir = TempDir::new("warm-sigkill");
    let (mut watchdog, runtime_pid) = start_ready_http_watchdog(&dir);
    watchdog.signal(libc::SIGKILL);
    watchdog.wait_exit();
    assert_gone(runtime_pid);
}

#[test]
fn a_client_that_goes_away_cancels_the_invocation_and_its_process() {
    use std::io::Write;
    let dir = TempDir::new("warm-cancel");
    let pid_file = dir.path("pid").display().to_string();
    let script = dir.script(
        "slow.sh",
        &format!("#!/bin/sh\necho $$ > {pid_file}\nsleep 30\necho '{{}}'\n"),
    );
    let watchdog = Watchdog::start(
        &[("EXECUTION_MODE", "STDIO"), ("WATCHDOG_CMD", &script)],
        &dir,
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", watchdog.port)).unwrap();
    let body = r#"{"input":1}"#;
    write!(
        stream,
        "POST /invoke HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let pid: i32 = wait_for_file(std::path::Path::new(&pid_file))
        .trim()
        .parse()
        .unwrap();
    drop(stream);
    assert_gone(pid);
    // The in-flight slot is free again (MAX_INFLIGHT is 1 in STDIO mode).
    let deadline = std::time::Instant::now() + PATIENCE;
    while !watchdog
        .get("/metrics")
        .text()
        .contains(r#"watchdog_inflight_invocations{function="function"} 0"#)
    {
        assert!(std::time::Instant::now() < deadline, "slot never released");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the watchdog reports `n` invocations in flight.
fn wait_for_inflight(watchdog: &Watchdog, n: usize) {
    let expected = format!(r#"watchdog_inflight_invocations{{function="function"}} {n}"#);
    let deadline = std::time::Instant::now() + PATIENCE;
    while !watchdog.get("/metrics").text().contains(&expected) {
        assert!(std::time::Instant::now() < deadline, "never {n} in flight");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn concurrent_stdio_invocations_each_get_their_own_answer_and_leave_no_zombies() {
    let dir = TempDir::new("warm-stdio-concurrent");
    // Each invocation also leaves an orphan behind (a background process that outlives its
    // subshell), so exits the reaper does not know arrive while other spawns are in progress.
    let script = dir.script("echo.sh", "#!/bin/sh\n(sleep 0.01 &)\nexec cat\n");
    let watchdog = Watchdog::start(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("MAX_INFLIGHT", "64"),
        ],
        &dir,
    );
    let port = watchdog.port;
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        let body = format!(r#"{{"input":{{"worker":{worker},"i":{i}}}}}"#);
                        let response = http_request(port, "POST", "/invoke", &[], body.as_bytes());
                        (body, response)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for worker in workers {
        for (body, response) in worker.join().unwrap() {
            assert_eq!(response.status, 200, "{}", response.text());
            assert_eq!(
                response.text(),
                body,
                "each invocation answers its own input"
            );
        }
    }
    let deadline = std::time::Instant::now() + PATIENCE;
    while !watchdog.zombie_children().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "children left unreaped: {:?}",
            watchdog.zombie_children()
        );
        thread::sleep(Duration::from_millis(20));
    }
}
