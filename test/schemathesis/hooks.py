"""What the schema fuzzer must know about this test run that openapi.yaml cannot say.

openapi.yaml describes the API; a few rules depend on the machine and the backend (a runtimeCommand
must name a program that exists here, a workdir a directory under the functions root) or relate two
fields in a way JSON Schema cannot express (the path's name equals the body's on PUT, minReplicas
<= maxReplicas). The hooks below turn each generated FunctionSpec into one this run's local backend
can hold, keep the functions the suite registered itself (echo, files, once) out of reach of PUT
and DELETE so that invoke routes keep doing real work, and keep every function small. Everything
else the fuzzer generates reaches the control plane unchanged.
"""

import copy

import schemathesis

FIXED = {"echo", "files", "once"}
MIB = 1024 * 1024
# A sync call waits up to its timeout by design (X-Timeout-Ms, else the function's timeoutMs): keep
# both under the fuzzer's own 15 s request timeout (run.sh), or a legitimate wait reads as an error.
MAX_WAIT_MS = 8000
UNITS = {
    "": 1,
    "m": 0.001,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


def quantity(text):
    for unit in sorted(UNITS, key=len, reverse=True):
        if unit and text.endswith(unit):
            return float(text[: -len(unit)]) * UNITS[unit]
    return float(text)


def runnable_spec(spec, name=None):
    """The generated spec, made runnable by this run's local backend and kept small."""
    if not isinstance(spec, dict):
        return spec
    spec = copy.deepcopy(spec)  # generated values may be shared between cases
    if name is not None:
        spec["name"] = name  # PUT: the body names the function of the path.
    spec.pop("scalingConfig", None)
    if not isinstance(spec.get("timeoutMs"), int) or spec["timeoutMs"] > MAX_WAIT_MS:
        spec["timeoutMs"] = MAX_WAIT_MS
    spec.pop("workdir", None)  # a directory under the functions root; none exists but the root
    # A program that exists here: `cat`, in the mode the spec asked for (FILE reads INPUT_FILE).
    mode = spec.get("executionMode")
    if mode == "POOL" or (
        mode is None and "endpointUrl" in spec and "runtimeCommand" not in spec and "image" not in spec
    ):
        spec.pop("runtimeCommand", None)
        spec.pop("image", None)
        # Any URL the pattern allows is not one a WHATWG URL parser takes (a non-ASCII host, a
        # port over 65535); the endpoint's own rules are tested in packages/contracts.
        spec["endpointUrl"] = "http://127.0.0.1:9/"
    else:
        spec.pop("endpointUrl", None)
        runtime_mode = spec.get("runtimeMode", "HTTP")
        spec["runtimeMode"] = "FILE" if runtime_mode == "FILE" else "STDIO"
        spec["runtimeCommand"] = (
            'sh -c "exec cat \\"$INPUT_FILE\\" > \\"$OUTPUT_FILE\\""' if runtime_mode == "FILE" else "cat"
        )
    env = spec.get("env")
    if isinstance(env, dict):
        # No NUL (a process cannot take one) and a small total (the exec limit is checked too).
        spec["env"] = {k: v.replace("\0", "")[:256] for k, v in list(env.items())[:8] if isinstance(v, str)}
    resources = spec.get("resources")
    if isinstance(resources, dict):
        if isinstance(resources.get("memory"), str) and quantity(resources["memory"]) < 4 * MIB:
            resources["memory"] = "64Mi"
        if isinstance(resources.get("cpu"), str) and quantity(resources["cpu"]) == 0:
            resources["cpu"] = "100m"
    scaling = spec.get("scaling")
    if isinstance(scaling, dict) and all(
        isinstance(scaling.get(k, 0), int) for k in ("minReplicas", "maxReplicas")
    ):
        # At most one replica each: the machine is shared, the rules are the same at any count.
        low, high = sorted((min(scaling.get("minReplicas", 0), 1), min(scaling.get("maxReplicas", 1), 1)))
        if scaling.get("strategy") == "NONE":
            low = high = 1
        scaling["minReplicas"], scaling["maxReplicas"] = low, max(high, 1)
    else:
        spec["scaling"] = {"minReplicas": 0, "maxReplicas": 1}
    if isinstance(spec.get("command"), list):
        spec["command"] = [arg.replace("\0", "") if isinstance(arg, str) else arg for arg in spec["command"]]
    return spec


def is_negative(case):
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return mode is not None and str(getattr(mode, "value", mode)).lower() == "negative"


def without_callback_url(headers):
    """Webhooks are off in this run (no public receiver exists on a loopback-only machine): a
    non-empty X-Callback-Url is refused by design, with a 400 naming the setting. An X-Timeout-Ms
    above MAX_WAIT_MS is lowered to it (a sync call may wait that long by design)."""
    if headers is None:
        return headers
    for key in [k for k in headers if k.lower() == "x-callback-url" and headers[k] != ""]:
        del headers[key]
    for key in [k for k in headers if k.lower() == "x-timeout-ms"]:
        value = str(headers[key])
        if value.isdigit() and int(value) > MAX_WAIT_MS:
            headers[key] = str(MAX_WAIT_MS)
    return headers


def without_follow(query):
    """A followed log stream ends only with its function; a request/response fuzzer cannot wait."""
    if query is not None and str(query.get("follow", "")).lower() == "true":
        query["follow"] = "false"
    return query


@schemathesis.hook
def map_query(context, query):
    return without_follow(query)


@schemathesis.hook
def map_headers(context, headers):
    return without_callback_url(headers)


@schemathesis.hook
def filter_case(context, case):
    """The suite's own functions stay as registered, so invoke routes keep doing real work."""
    name = (case.path_parameters or {}).get("name")
    return not (name in FIXED and case.method.upper() in {"PUT", "DELETE"})


@schemathesis.hook
def map_case(context, case):
    path = case.operation.path
    method = case.method.upper()
    name = (case.path_parameters or {}).get("name")
    case.headers = without_callback_url(case.headers)
    case.query = without_follow(case.query)
    if is_negative(case):
        return case
    if path == "/v1/functions" and method == "POST":
        case.body = runnable_spec(case.body)
    elif path == "/v1/functions/{name}" and method == "PUT":
        case.body = runnable_spec(case.body, name)
    return case


PLATFORM_CODES_OF_A_BROKEN_FUNCTION = {
    "SPAWN_FAILED",
    "RUNTIME_UNAVAILABLE",
    "FUNCTION_UNAVAILABLE",
    "BACKEND_UNREACHABLE",
    "NOT_READY",
    "RUN_LOST",
}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """A 5xx is a failure, except the honest answer about a function the fuzzer itself made: its
    own error (origin function) or a platform code saying it cannot run (its endpoint is made up)."""
    if response.status_code < 500:
        return True
    if pinned_to_zero(response):
        return False  # the fuzzer pinned it to 0 replicas itself (PUT .../replicas)
    name = (case.path_parameters or {}).get("name")
    if name is None or name in FIXED:
        return True
    try:
        error = response.json().get("error") or {}
    except Exception:
        return True
    return not (error.get("origin") == "function" or error.get("code") in PLATFORM_CODES_OF_A_BROKEN_FUNCTION)


def pinned_to_zero(response):
    try:
        error = response.json().get("error") or {}
    except Exception:
        return False
    return error.get("code") == "FUNCTION_UNAVAILABLE" and "pinned to 0 replicas" in error.get("message", "")


@schemathesis.hook
def before_call(context, case, **kwargs):
    """A stateful sequence fills the path's name from an earlier answer after map_case ran: the
    PUT body then names the same function here (the rule JSON Schema cannot state)."""
    if case.operation.path != "/v1/functions/{name}" or case.method.upper() != "PUT" or is_negative(case):
        return
    name = (case.path_parameters or {}).get("name")
    if isinstance(name, str) and isinstance(case.body, dict):
        case.body["name"] = name
