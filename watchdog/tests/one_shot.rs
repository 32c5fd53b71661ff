//! One-shot runs (no WARM; the REMOTE/Job case): each mode with real children, the callback to a
//! real local server, and every failure the function can produce.

mod common;

use common::*;
use serde_json::json;

const CALLBACK_PATH: &str = "/v1/internal/executions";

#[test]
fn stdio_result_is_posted_to_a_callback_url_that_names_a_host_from_the_hosts_file() {
    let dir = TempDir::new("callback");
    let server = CallbackServer::start(&[200]);
    let hosts = dir.file("hosts", "# test hosts\n127.0.0.1   cp.test.internal cp\n");
    let url = format!("http://cp.test.internal:{}{CALLBACK_PATH}", server.port);
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "cat"),
            ("FUNCTION_NAME", "echo"),
            ("EXECUTION_ID", "exec-1"),
            ("TRACE_ID", "trace-1"),
            ("CALLBACK_URL", &url),
            ("CALLBACK_TOKEN", "s3cret"),
            (
                "INVOCATION_PAYLOAD",
                r#"{"input":{"words":["a","b"]},"metadata":{"k":"v"}}"#,
            ),
            ("HOSTS_FILE", &hosts),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(
        finished.stdout, "",
        "stdout carries only results, none with a callback"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, format!("{CALLBACK_PATH}/exec-1:complete"));
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["x-execution-id"], "exec-1");
    assert_eq!(request.headers["x-trace-id"], "trace-1");
    assert_eq!(request.headers["authorization"], "Bearer s3cret");
    assert_eq!(
        request.json(),
        json!({"success": true, "output": {"input": {"words": ["a", "b"]}, "metadata": {"k": "v"}}})
    );
}

#[test]
fn callback_host_is_resolved_over_dns_with_the_search_domains_of_resolv_conf() {
    let Some(dns) = DnsServer::start(&[(
        "cp.nanofaas.svc.cluster.local",
        std::net::Ipv4Addr::LOCALHOST,
    )]) else {
        eprintln!("skipped: cannot bind UDP port 53 on loopback (needs root)");
        return;
    };
    let dir = TempDir::new("dns");
    let resolv = dir.file(
        "resolv.conf",
        &format!(
            "search nanofaas.svc.cluster.local svc.cluster.local\nnameserver {}\noptions ndots:5 timeout:2\n",
            dns.address
        ),
    );
    let server = CallbackServer::start(&[200]);
    let url = format!("http://cp:{}{CALLBACK_PATH}", server.port);
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_ID", "exec-dns"),
            ("CALLBACK_URL", &url),
            ("INVOCATION_PAYLOAD", r#"{"input":"dns"}"#),
            ("RESOLV_CONF", &resolv),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(server.requests().len(), 1);
    let queries = dns.queries.lock().unwrap().clone();
    assert_eq!(
        queries.first().map(String::as_str),
        Some("cp.nanofaas.svc.cluster.local 1")
    );
}

#[test]
fn unresolvable_callback_host_fails_the_run_after_retries() {
    let dir = TempDir::new("unresolvable");
    let resolv = dir.file(
        "resolv.conf",
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    );
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_ID", "exec-nohost"),
            (
                "CALLBACK_URL",
                "http://no-such-control-plane:8080/v1/internal/executions",
            ),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
            ("RESOLV_CONF", &resolv),
        ],
        &dir,
    );
    assert_eq!(finished.code, 3, "{}", finished.log);
    let failures: Vec<_> = finished
        .log_lines()
        .into_iter()
        .filter(|line| line["msg"] == "callback attempt failed")
        .collect();
    assert!(failures.len() >= 5, "at least 5 tries");
    let error = failures[0]["error"].as_str().unwrap();
    assert!(error.contains("no-such-control-plane"), "{error}");
}

#[test]
fn callback_is_retried_until_the_server_accepts_it() {
    let dir = TempDir::new("retry");
    let server = CallbackServer::start(&[503, 500, 502, 204]);
    let url = format!("http://127.0.0.1:{}{CALLBACK_PATH}/", server.port);
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_ID", "exec-retry"),
            ("CALLBACK_URL", &url),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "three failures, then delivered");
    for request in &requests {
        assert_eq!(request.path, format!("{CALLBACK_PATH}/exec-retry:complete"));
        assert_eq!(request.json()["success"], true);
    }
    let failed_attempts = finished
        .log_lines()
        .into_iter()
        .filter(|line| line["msg"] == "callback attempt failed")
        .count();
    assert_eq!(failed_attempts, 3);
}

#[test]
fn callback_rejected_with_4xx_is_not_retried_and_the_exit_code_says_so() {
    let dir = TempDir::new("reject");
    let server = CallbackServer::start(&[404]);
    let url = format!("http://127.0.0.1:{}{CALLBACK_PATH}", server.port);
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_ID", "exec-404"),
            ("CALLBACK_URL", &url),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 3, "{}", finished.log);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn without_callback_url_the_result_is_printed_and_payload_is_wrapped() {
    let dir = TempDir::new("print");
    let script = dir.file(
        "handler.py",
        "import json, os, sys\n\
         request = json.load(sys.stdin)\n\
         print(json.dumps({'got': request, 'env': {k: os.environ.get(k) for k in \
         ['EXECUTION_ID', 'TRACE_ID', 'FUNCTION_NAME', 'CALLBACK_TOKEN', 'INVOCATION_PAYLOAD']}, \
         'timeoutOk': 0 < int(os.environ['TIMEOUT_MS']) <= 5000}))\n",
    );
    let command = format!("python3 {script}");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &command),
            ("FUNCTION_NAME", "py-fn"),
            ("EXECUTION_ID", "exec-py"),
            ("TRACE_ID", "t-9"),
            ("TIMEOUT_MS", "5000"),
            ("CALLBACK_TOKEN", "must-not-leak"),
            ("INVOCATION_PAYLOAD", "\"plain string\""),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(
        finished.stdout_json(),
        json!({"success": true, "output": {
            "got": {"input": "plain string"},
            "env": {"EXECUTION_ID": "exec-py", "TRACE_ID": "t-9", "FUNCTION_NAME": "py-fn",
                    "CALLBACK_TOKEN": null, "INVOCATION_PAYLOAD": null},
            "timeoutOk": true,
        }})
    );
}

#[test]
fn file_mode_passes_input_and_output_files() {
    let dir = TempDir::new("file");
    let script = dir.script(
        "process.sh",
        "#!/bin/sh\n\
         echo \"processing $INPUT_FILE\"\n\
         printf '{\"in\":%s,\"id\":\"%s\"}' \"$(cat \"$INPUT_FILE\")\" \"$EXECUTION_ID\" > \"$OUTPUT_FILE\"\n",
    );
    let input = dir.path("in.json").display().to_string();
    let output = dir.path("out.json").display().to_string();
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "FILE"),
            ("WATCHDOG_CMD", &script),
            ("EXECUTION_ID", "exec-file"),
            ("INPUT_FILE", &input),
            ("OUTPUT_FILE", &output),
            ("INVOCATION_PAYLOAD", r#"{"input":[1,2,3]}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(
        finished.stdout_json(),
        json!({"success": true, "output": {"in": {"input": [1, 2, 3]}, "id": "exec-file"}})
    );
    let stdout_line = finished
        .log_lines()
        .into_iter()
        .find(|line| line["stream"] == "stdout")
        .expect("the process's stdout is logged in FILE mode");
    assert_eq!(stdout_line["line"], format!("processing {input}"));
    assert!(!dir.path("in.json").exists() && !dir.path("out.json").exists());
}

#[test]
fn file_mode_without_output_file_is_invalid_output() {
    let dir = TempDir::new("file-missing");
    let input = dir.path("in.json").display().to_string();
    let output = dir.path("out.json").display().to_string();
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "FILE"),
            ("WATCHDOG_CMD", "true"),
            ("INPUT_FILE", &input),
            ("OUTPUT_FILE", &output),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 1);
    assert_eq!(finished.stdout_json()["error"]["code"], "INVALID_OUTPUT");
}

#[test]
fn http_mode_starts_the_runtime_invokes_it_once_and_stops_it() {
    let dir = TempDir::new("http");
    let runtime = dir.file("runtime.js", NODE_RUNTIME);
    let pid_file = dir.path("runtime.pid").display().to_string();
    let server = CallbackServer::start(&[200]);
    let url = format!("http://127.0.0.1:{}{CALLBACK_PATH}", server.port);
    let command = format!("node {runtime}");
    let port = free_port().to_string();
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "HTTP"),
            ("WATCHDOG_CMD", &command),
            ("FUNCTION_NAME", "node-fn"),
            ("RUNTIME_PORT", &port),
            ("PID_FILE", &pid_file),
            ("EXECUTION_ID", "exec-http"),
            ("TRACE_ID", "trace-http"),
            ("CALLBACK_URL", &url),
            ("INVOCATION_PAYLOAD", r#"{"input":"hello"}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    let body = server.requests()[0].json();
    assert_eq!(body["success"], true, "{body}");
    let output = &body["output"];
    assert_eq!(output["input"], "hello");
    assert_eq!(output["executionId"], "exec-http");
    assert_eq!(output["traceId"], "trace-http");
    assert_eq!(
        output["env"],
        json!({"PORT": port, "HOST": "127.0.0.1", "FUNCTION_NAME": "node-fn"})
    );
    let runtime_pid: i32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    assert_gone(runtime_pid);
}

#[test]
fn http_mode_runtime_that_never_gets_healthy_is_runtime_unavailable() {
    let dir = TempDir::new("http-unhealthy");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "HTTP"),
            ("WATCHDOG_CMD", "sleep 30"),
            ("RUNTIME_PORT", &free_port().to_string()),
            ("HEALTH_TIMEOUT_MS", "300"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 1);
    let error = &finished.stdout_json()["error"];
    assert_eq!(error["code"], "RUNTIME_UNAVAILABLE");
    assert_eq!(error["origin"], "platform");
    assert_eq!(error["retryable"], true);
}

#[test]
fn crash_is_function_failed_with_exit_code_and_stderr_tail_and_stderr_is_logged() {
    let dir = TempDir::new("crash");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            (
                "WATCHDOG_CMD",
                "sh -c 'echo starting >&2; echo \"bad thing happened\" >&2; exit 3'",
            ),
            ("EXECUTION_ID", "exec-crash"),
            ("TRACE_ID", "trace-crash"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 1);
    let error = &finished.stdout_json()["error"];
    assert_eq!(error["code"], "FUNCTION_FAILED");
    assert_eq!(error["origin"], "function");
    assert_eq!(error["retryable"], false);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("exit code 3"), "{message}");
    assert!(message.contains("bad thing happened"), "{message}");
    let stderr_lines: Vec<_> = finished
        .log_lines()
        .into_iter()
        .filter(|line| line["stream"] == "stderr")
        .collect();
    assert_eq!(stderr_lines.len(), 2);
    assert_eq!(stderr_lines[1]["line"], "bad thing happened");
    assert_eq!(stderr_lines[1]["executionId"], "exec-crash");
    assert_eq!(stderr_lines[1]["traceId"], "trace-crash");
    assert_eq!(stderr_lines[1]["level"], "info");
}

#[test]
fn killed_by_a_signal_is_function_failed_naming_the_signal() {
    let dir = TempDir::new("signal");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "sh -c 'kill -SEGV $$'"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    let error = &finished.stdout_json()["error"];
    assert_eq!(error["code"], "FUNCTION_FAILED");
    assert!(
        error["message"].as_str().unwrap().contains("SIGSEGV"),
        "{error}"
    );
}

#[test]
fn an_error_object_on_stdout_with_non_zero_exit_is_propagated() {
    let dir = TempDir::new("reported");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            (
                "WATCHDOG_CMD",
                r#"sh -c 'echo "{\"error\":{\"code\":\"BAD_NAME\",\"message\":\"name is required\",\"details\":{\"field\":\"name\"}}}"; exit 1'"#,
            ),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 1);
    assert_eq!(
        finished.stdout_json(),
        json!({"success": false, "error": {"code": "BAD_NAME", "message": "name is required",
            "details": {"field": "name"}, "origin": "function", "retryable": false}})
    );
}

#[test]
fn garbage_output_is_invalid_output_unless_output_format_is_text() {
    let dir = TempDir::new("garbage");
    let env = [
        ("EXECUTION_MODE", "STDIO"),
        ("WATCHDOG_CMD", "echo not json at all"),
        ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
    ];
    let finished = run_one_shot(&env, &dir);
    assert_eq!(finished.code, 1);
    assert_eq!(finished.stdout_json()["error"]["code"], "INVALID_OUTPUT");

    let mut env = env.to_vec();
    env.push(("OUTPUT_FORMAT", "text"));
    let finished = run_one_shot(&env, &dir);
    assert_eq!(finished.code, 0);
    assert_eq!(
        finished.stdout_json(),
        json!({"success": true, "output": "not json at all"})
    );
}

#[test]
fn huge_output_is_output_too_large_and_the_writer_is_killed() {
    let dir = TempDir::new("huge");
    let pid_file = dir.path("pid").display().to_string();
    let command = format!("sh -c 'echo $$ > {pid_file}; exec yes'");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &command),
            ("MAX_OUTPUT_BYTES", "100000"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 1);
    let error = &finished.stdout_json()["error"];
    assert_eq!(error["code"], "OUTPUT_TOO_LARGE");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_gone(pid);
}

#[test]
fn missing_command_is_spawn_failed() {
    let dir = TempDir::new("missing");
    for (mode, command) in [
        ("STDIO", "/no/such/function"),
        ("FILE", "no-such-command-anywhere"),
        ("HTTP", "/no/such/runtime --port 1"),
    ] {
        let input = dir.path("in.json").display().to_string();
        let finished = run_one_shot(
            &[
                ("EXECUTION_MODE", mode),
                ("WATCHDOG_CMD", command),
                ("INPUT_FILE", &input),
                ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
            ],
            &dir,
        );
        assert_eq!(finished.code, 1, "{mode}");
        let error = &finished.stdout_json()["error"];
        assert_eq!(error["code"], "SPAWN_FAILED", "{mode}: {error}");
        assert_eq!(error["origin"], "platform");
        assert!(
            error["message"].as_str().unwrap().contains("not found"),
            "{error}"
        );
    }
}

#[test]
fn not_executable_command_is_spawn_failed() {
    let dir = TempDir::new("noexec");
    let path = dir.file("handler.sh", "#!/bin/sh\necho '{}'\n");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &path),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.stdout_json()["error"]["code"], "SPAWN_FAILED");
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let dir = TempDir::new("timeout");
    let pids = dir.path("pids").display().to_string();
    // The function starts a background grandchild, then hangs.
    let script = dir.script(
        "hang.sh",
        &format!("#!/bin/sh\nsleep 60 &\necho \"$$ $!\" > {pids}\nsleep 60\n"),
    );
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("TIMEOUT_MS", "2000"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 1);
    let error = &finished.stdout_json()["error"];
    assert_eq!(error["code"], "TIMEOUT");
    assert_eq!(error["retryable"], true);
    for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
        assert_gone(pid.parse().unwrap());
    }
}

#[test]
fn child_that_ignores_sigterm_is_killed_after_the_grace_period() {
    let dir = TempDir::new("stubborn");
    let pid_file = dir.path("pid").display().to_string();
    let script = dir.script(
        "stubborn.sh",
        &format!(
            "#!/bin/sh\ntrap '' TERM\necho $$ > {pid_file}\nwhile true; do sleep 0.05; done\n"
        ),
    );
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &script),
            ("TIMEOUT_MS", "2000"),
            ("KILL_GRACE_MS", "200"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.stdout_json()["error"]["code"], "TIMEOUT");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_gone(pid);
    let timed_out = finished
        .log_lines()
        .into_iter()
        .find(|line| line["msg"] == "invocation timed out")
        .unwrap();
    assert_eq!(timed_out["exit"], "signal 9 (SIGKILL)");
}

#[test]
fn child_that_closes_stdout_early_still_returns_what_it_wrote() {
    let dir = TempDir::new("close-early");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            (
                "WATCHDOG_CMD",
                r#"sh -c 'printf "{\"early\":true}"; exec 1>&-; sleep 0.3; echo done >&2'"#,
            ),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(
        finished.stdout_json(),
        json!({"success": true, "output": {"early": true}})
    );
}

#[test]
fn child_that_ignores_a_large_stdin_does_not_hang() {
    let dir = TempDir::new("no-stdin");
    let big = format!(r#"{{"input":"{}"}}"#, "x".repeat(100 * 1024));
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", r#"echo '{"ignored":true}'"#),
            ("INVOCATION_PAYLOAD", &big),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(finished.stdout_json()["output"], json!({"ignored": true}));
}

#[test]
fn bad_configuration_exits_non_zero_naming_the_variable() {
    let dir = TempDir::new("config");
    let finished = run_one_shot(
        &[
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_MODE", "SOAP"),
            ("INVOCATION_PAYLOAD", "{}"),
        ],
        &dir,
    );
    assert_eq!(finished.code, 2);
    let line = &finished.log_lines()[0];
    assert_eq!(line["level"], "error");
    assert_eq!(line["variable"], "EXECUTION_MODE");
    assert!(line["msg"].as_str().unwrap().contains("SOAP"));
    let finished = run_one_shot(&[("INVOCATION_PAYLOAD", "{}")], &dir);
    assert_eq!(finished.code, 2);
    assert_eq!(finished.log_lines()[0]["variable"], "WATCHDOG_CMD");
}

#[test]
fn a_configuration_error_is_reported_through_a_readable_callback_before_exiting_2() {
    let dir = TempDir::new("config-callback");
    let server = CallbackServer::start(&[200]);
    let url = format!("http://127.0.0.1:{}{CALLBACK_PATH}", server.port);
    let finished = run_one_shot(
        &[
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_MODE", "STDIO"),
            ("TIMEOUT_MS", "soon"),
            ("EXECUTION_ID", "exec-c"),
            ("CALLBACK_URL", &url),
            ("CALLBACK_TOKEN", "s3cret"),
            ("TRACE_ID", "trace-c"),
            ("INVOCATION_PAYLOAD", r#"{"input":1}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 2, "{}", finished.log);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{}", finished.log);
    let request = &requests[0];
    assert_eq!(request.path, format!("{CALLBACK_PATH}/exec-c:complete"));
    assert_eq!(request.headers["authorization"], "Bearer s3cret");
    assert_eq!(request.headers["x-trace-id"], "trace-c");
    let body = request.json();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "INVALID_CONFIGURATION");
    assert_eq!(body["error"]["origin"], "platform");
    assert_eq!(body["error"]["retryable"], false);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("TIMEOUT_MS") && message.contains("soon"),
        "{message}"
    );

    // Without a readable EXECUTION_ID there is no execution to report to.
    let server = CallbackServer::start(&[200]);
    let url = format!("http://127.0.0.1:{}{CALLBACK_PATH}", server.port);
    let finished = run_one_shot(
        &[
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_ID", "a/b"),
            ("CALLBACK_URL", &url),
            ("INVOCATION_PAYLOAD", "{}"),
        ],
        &dir,
    );
    assert_eq!(finished.code, 2);
    assert!(server.requests().is_empty());
}

#[test]
fn a_large_payload_is_read_from_invocation_payload_file() {
    let dir = TempDir::new("payload-file");
    let text = "x".repeat(1024 * 1024);
    let payload = dir.file("payload.json", &format!("{{\"input\":\"{text}\"}}"));
    let script = dir.file(
        "handler.py",
        "import json, os, sys\n\
         request = json.load(sys.stdin)\n\
         print(json.dumps({'length': len(request['input']), \
         'file': os.environ.get('INVOCATION_PAYLOAD_FILE')}))\n",
    );
    let command = format!("python3 {script}");
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", &command),
            ("INVOCATION_PAYLOAD_FILE", &payload),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    assert_eq!(
        finished.stdout_json(),
        json!({"success": true, "output": {"length": 1024 * 1024, "file": null}})
    );
    assert!(
        std::path::Path::new(&payload).exists(),
        "the file belongs to whoever wrote it"
    );
}

#[test]
fn payload_and_payload_file_together_or_an_unreadable_file_are_configuration_errors() {
    let dir = TempDir::new("payload-file-errors");
    let payload = dir.file("payload.json", r#"{"input":1}"#);
    let both = run_one_shot(
        &[
            ("WATCHDOG_CMD", "cat"),
            ("INVOCATION_PAYLOAD", r#"{"input":2}"#),
            ("INVOCATION_PAYLOAD_FILE", &payload),
        ],
        &dir,
    );
    assert_eq!(both.code, 2, "{}", both.log);
    let line = &both.log_lines()[0];
    let message = line["msg"].as_str().unwrap();
    assert!(
        message.contains("INVOCATION_PAYLOAD_FILE") && message.contains("INVOCATION_PAYLOAD are"),
        "{message}"
    );

    let missing = dir.path("missing.json").display().to_string();
    let unreadable = run_one_shot(
        &[
            ("WATCHDOG_CMD", "cat"),
            ("INVOCATION_PAYLOAD_FILE", &missing),
        ],
        &dir,
    );
    assert_eq!(unreadable.code, 2, "{}", unreadable.log);
    let line = &unreadable.log_lines()[0];
    assert_eq!(line["variable"], "INVOCATION_PAYLOAD_FILE");
    assert!(line["msg"].as_str().unwrap().contains(&missing), "{line}");
    assert!(unreadable.stdout.is_empty());
}

/// The contracts' JSON vectors (7.0, 1e400, 2^64+1, lone surrogates, …) as the function's output:
/// never a panic (an f64 parse used to abort on 1e400), and the result carries the exact bytes.
#[test]
fn output_keeps_its_bytes_for_every_json_vector_in_stdio_and_file_modes() {
    let fixture: serde_json::Value = serde_json::from_str(include_str!(
        "../../packages/contracts/fixtures/json-vectors.json"
    ))
    .unwrap();
    let dir = TempDir::new("vectors");
    for vector in fixture["valid"].as_array().unwrap() {
        let vector = vector.as_str().unwrap();
        let payload = format!("{{\"input\":{vector}}}");
        for (mode, command) in [
            ("STDIO", "cat"),
            ("FILE", "sh -c 'cp \"$INPUT_FILE\" \"$OUTPUT_FILE\"'"),
        ] {
            let finished = run_one_shot(
                &[
                    ("EXECUTION_MODE", mode),
                    ("WATCHDOG_CMD", command),
                    ("EXECUTION_ID", "exec-v"),
                    ("INVOCATION_PAYLOAD", &payload),
                ],
                &dir,
            );
            assert_eq!(finished.code, 0, "{mode} {vector}: {}", finished.log);
            assert_eq!(
                finished.stdout.trim_end(),
                format!("{{\"success\":true,\"output\":{payload}}}"),
                "{mode}"
            );
        }
        // A bare value as the payload is the input, wrapped without re-encoding it.
        let bare = run_one_shot(
            &[
                ("EXECUTION_MODE", "STDIO"),
                ("WATCHDOG_CMD", "cat"),
                ("EXECUTION_ID", "exec-b"),
                ("INVOCATION_PAYLOAD", vector),
            ],
            &dir,
        );
        assert_eq!(
            bare.stdout.trim_end(),
            format!("{{\"success\":true,\"output\":{payload}}}")
        );
    }
}

#[test]
fn a_callback_url_that_already_names_the_completion_route_is_used_as_is() {
    let dir = TempDir::new("suffix");
    let server = CallbackServer::start(&[200]);
    let url = format!(
        "http://127.0.0.1:{}{CALLBACK_PATH}/exec-s:complete",
        server.port
    );
    let finished = run_one_shot(
        &[
            ("EXECUTION_MODE", "STDIO"),
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_ID", "exec-s"),
            ("CALLBACK_URL", &url),
            ("INVOCATION_PAYLOAD", r#"{"input":7.0}"#),
        ],
        &dir,
    );
    assert_eq!(finished.code, 0, "{}", finished.log);
    let requests = server.requests();
    assert_eq!(requests[0].path, format!("{CALLBACK_PATH}/exec-s:complete"));
}

#[test]
fn version_and_help_answer_without_any_configuration() {
    let version = std::process::Command::new(env!("CARGO_BIN_EXE_watchdog"))
        .arg("--version")
        .env_clear()
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("watchdog "));
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_watchdog"))
        .arg("--help")
        .env_clear()
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("WARM_PORT"));
    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_watchdog"))
        .arg("--nope")
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}
