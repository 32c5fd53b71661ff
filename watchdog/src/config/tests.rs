//! Unit tests of load_config.

use super::*;
use std::collections::HashMap;

fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    load_config(&|name| map.get(name).cloned(), &|path| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no file {} in this test", path.display()),
        ))
    })
}

/// load_config with files: `files` maps paths to contents, every other path is missing.
fn load_with_files(vars: &[(&str, &str)], files: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let files: HashMap<PathBuf, Vec<u8>> = files
        .iter()
        .map(|(path, text)| (PathBuf::from(path), text.as_bytes().to_vec()))
        .collect();
    load_config(&|name| map.get(name).cloned(), &|path| {
        files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    })
}

#[test]
fn warm_defaults_follow_the_spec() {
    let config = load(&[("WARM", "true"), ("WATCHDOG_CMD", "node server.js")]).unwrap();
    assert!(config.is_warm());
    assert_eq!(config.mode, ExecutionMode::Http);
    assert_eq!(config.command, vec!["node", "server.js"]);
    assert_eq!(config.timeout, Duration::from_millis(30_000));
    assert_eq!(config.port, 8080);
    assert_eq!(config.runtime_url, "http://127.0.0.1:8081/invoke");
    assert_eq!(config.health_url, "http://127.0.0.1:8081/health");
    assert_eq!(config.health_interval, Duration::from_millis(50));
    assert_eq!(config.health_timeout, Duration::from_millis(10_000));
    assert_eq!(config.kill_grace, Duration::from_millis(100));
    assert_eq!(config.max_output_bytes, 6 * MIB);
    assert_eq!(config.input_file, PathBuf::from("/tmp/input.json"));
}

#[test]
fn stdio_defaults_to_one_in_flight() {
    let config = load(&[
        ("WARM", "true"),
        ("WATCHDOG_CMD", "cat"),
        ("EXECUTION_MODE", "stdio"),
    ])
    .unwrap();
    assert_eq!(config.mode, ExecutionMode::Stdio);
    assert_eq!(config.max_inflight, 1);
}

#[test]
fn command_uses_shell_quoting_without_a_shell() {
    let config = load(&[
        ("WARM", "true"),
        ("WATCHDOG_CMD", r#"python3 -c 'print("a b")' "two words""#),
    ])
    .unwrap();
    assert_eq!(
        config.command,
        vec!["python3", "-c", "print(\"a b\")", "two words"]
    );
}

#[test]
fn bad_values_name_the_variable() {
    let base = [("WARM", "true"), ("WATCHDOG_CMD", "cat")];
    let cases: &[(&str, &str)] = &[
        ("TIMEOUT_MS", "soon"),
        ("TIMEOUT_MS", "0"),
        ("EXECUTION_MODE", "GRPC"),
        ("PORT", "70000"),
        ("RUNTIME_PORT", "0"),
        ("MAX_INFLIGHT", "-1"),
        ("WARM", "maybe"),
        ("HOST", "example.com"),
        ("RUNTIME_URL", "https://x/invoke"),
        ("OUTPUT_FORMAT", "xml"),
        ("LOG_LEVEL", "loud"),
        ("WATCHDOG_CMD", "echo 'unclosed"),
    ];
    for (variable, value) in cases {
        let mut vars = base.to_vec();
        vars.retain(|(k, _)| k != variable);
        vars.push((variable, value));
        let err = load(&vars).unwrap_err();
        assert_eq!(err.variable, *variable, "{err}");
    }
}

#[test]
fn one_shot_runs_ignore_the_server_address() {
    let config = load(&[
        ("WATCHDOG_CMD", "cat"),
        ("INVOCATION_PAYLOAD", "{}"),
        ("HOST", "my-laptop"),
        ("PORT", "http"),
    ])
    .unwrap();
    assert!(!config.is_warm());
}

#[test]
fn missing_command_is_an_error() {
    assert_eq!(
        load(&[("WARM", "true")]).unwrap_err().variable,
        "WATCHDOG_CMD"
    );
}

#[test]
fn one_shot_requires_a_payload_and_an_id_with_a_callback() {
    let err = load(&[("WATCHDOG_CMD", "cat")]).unwrap_err();
    assert_eq!(err.variable, "INVOCATION_PAYLOAD");
    let err = load(&[
        ("WATCHDOG_CMD", "cat"),
        ("INVOCATION_PAYLOAD", "{\"input\":1}"),
        ("CALLBACK_URL", "http://cp:8080/v1/internal/executions/"),
    ])
    .unwrap_err();
    assert_eq!(err.variable, "EXECUTION_ID");
    let err = load(&[("WATCHDOG_CMD", "cat"), ("INVOCATION_PAYLOAD", "{oops")]).unwrap_err();
    assert_eq!(err.variable, "INVOCATION_PAYLOAD");
}

#[test]
fn payload_without_input_is_wrapped() {
    let config = load(&[("WATCHDOG_CMD", "cat"), ("INVOCATION_PAYLOAD", "\"hello\"")]).unwrap();
    let one_shot = config.one_shot.unwrap();
    assert_eq!(one_shot.payload, br#"{"input":"hello"}"#.to_vec());
    let config = load(&[
        ("WATCHDOG_CMD", "cat"),
        ("INVOCATION_PAYLOAD", r#" {"input":{"a":1},"metadata":{}} "#),
        ("EXECUTION_ID", "e1"),
        ("CALLBACK_URL", "http://cp:8080/v1/internal/executions/"),
    ])
    .unwrap();
    let one_shot = config.one_shot.unwrap();
    assert_eq!(
        one_shot.payload,
        br#"{"input":{"a":1},"metadata":{}}"#.to_vec()
    );
    assert_eq!(
        one_shot.callback_url.as_deref(),
        Some("http://cp:8080/v1/internal/executions")
    );
}

#[test]
fn payload_can_come_from_a_file() {
    let base = [
        ("WATCHDOG_CMD", "cat"),
        ("INVOCATION_PAYLOAD_FILE", "/run/payload.json"),
    ];
    let config = load_with_files(&base, &[("/run/payload.json", "{\"input\":[1,2]}\n")]).unwrap();
    assert_eq!(
        config.one_shot.unwrap().payload,
        br#"{"input":[1,2]}"#.to_vec()
    );
    let config = load_with_files(&base, &[("/run/payload.json", "42")]).unwrap();
    assert_eq!(
        config.one_shot.unwrap().payload,
        br#"{"input":42}"#.to_vec()
    );
}

#[test]
fn payload_file_problems_name_the_variable() {
    let base = [
        ("WATCHDOG_CMD", "cat"),
        ("INVOCATION_PAYLOAD_FILE", "/run/payload.json"),
    ];
    let missing = load_with_files(&base, &[]).unwrap_err();
    assert_eq!(missing.variable, "INVOCATION_PAYLOAD_FILE");
    assert!(missing.problem.contains("/run/payload.json"), "{missing}");
    let invalid = load_with_files(&base, &[("/run/payload.json", "{oops")]).unwrap_err();
    assert_eq!(invalid.variable, "INVOCATION_PAYLOAD_FILE");
    assert!(invalid.problem.contains("not valid JSON"), "{invalid}");
    let mut both = base.to_vec();
    both.push(("INVOCATION_PAYLOAD", "{}"));
    let both = load_with_files(&both, &[("/run/payload.json", "{}")]).unwrap_err();
    let message = both.to_string();
    assert!(
        message.contains("INVOCATION_PAYLOAD_FILE")
            && message.contains("INVOCATION_PAYLOAD are both set"),
        "{message}"
    );
}

#[test]
fn warm_runs_ignore_the_payload_file() {
    let config = load(&[
        ("WARM", "true"),
        ("WATCHDOG_CMD", "cat"),
        ("INVOCATION_PAYLOAD_FILE", "/nowhere"),
    ])
    .unwrap();
    assert!(config.is_warm());
}

#[test]
fn parent_death_signal_is_opt_in_and_named() {
    let base = [("WARM", "true"), ("WATCHDOG_CMD", "cat")];
    assert_eq!(load(&base).unwrap().parent_death_signal, None);
    for (value, expected) in [
        ("TERM", ParentDeathSignal::Term),
        ("sigterm", ParentDeathSignal::Term),
        ("INT", ParentDeathSignal::Int),
        ("SIGKILL", ParentDeathSignal::Kill),
    ] {
        let mut vars = base.to_vec();
        vars.push(("PARENT_DEATH_SIGNAL", value));
        assert_eq!(load(&vars).unwrap().parent_death_signal, Some(expected));
    }
    let mut vars = base.to_vec();
    vars.push(("PARENT_DEATH_SIGNAL", "USR1"));
    let err = load(&vars).unwrap_err();
    assert_eq!(err.variable, "PARENT_DEATH_SIGNAL");
}

#[test]
fn the_original_names_are_aliases_and_a_conflicting_pair_names_both() {
    let warm = |extra: &[(&str, &str)]| {
        let mut env = vec![
            ("WARM", "true"),
            ("WATCHDOG_CMD", "cat"),
            ("EXECUTION_MODE", "STDIO"),
        ];
        env.extend_from_slice(extra);
        load(&env)
    };
    assert_eq!(warm(&[("WARM_PORT", "9123")]).unwrap().port, 9123);
    assert_eq!(
        warm(&[("PORT", "9123"), ("WARM_PORT", "9123")])
            .unwrap()
            .port,
        9123
    );
    let both = warm(&[("PORT", "9123"), ("WARM_PORT", "9124")]).unwrap_err();
    assert_eq!(both.variable, "PORT");
    assert!(both.problem.contains("WARM_PORT"), "{}", both.problem);
    let ready = warm(&[("READY_TIMEOUT_MS", "2500")]).unwrap();
    assert_eq!(ready.health_timeout, std::time::Duration::from_millis(2500));
    let clash = warm(&[("READY_TIMEOUT_MS", "2500"), ("HEALTH_TIMEOUT_MS", "10")]).unwrap_err();
    assert!(
        clash.to_string().contains("READY_TIMEOUT_MS")
            && clash.to_string().contains("HEALTH_TIMEOUT_MS")
    );
    let derived = warm(&[("RUNTIME_URL", "http://10.0.0.7:9000/invoke?x=1")]).unwrap();
    assert_eq!(derived.health_url, "http://10.0.0.7:9000/health");
}
