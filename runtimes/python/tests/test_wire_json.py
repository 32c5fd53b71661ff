"""Decoding InvocationRequests and encoding outputs, against packages/contracts/fixtures."""

import json

from nanofaas_runtime.errors import ErrorAnswer
from nanofaas_runtime.wire_json import decode_invocation_request, serialise_output
from support import REPOSITORY

FIXTURES = json.loads((REPOSITORY / "packages/contracts/fixtures/invocation-request.json").read_text())


def test_every_valid_fixture_decodes_and_its_input_comes_back_as_node_would_write_it():
    for request in FIXTURES["valid"]:
        decoded = decode_invocation_request(json.dumps(request))
        assert not isinstance(decoded, ErrorAnswer), request
        assert decoded.metadata == (request.get("metadata") or {})  # null means absent
        output = serialise_output(decoded.input)
        assert output.body == json.dumps(request["input"], ensure_ascii=False, separators=(",", ":")).encode()


def test_every_invalid_fixture_names_its_field_and_rule():
    for case in FIXTURES["invalid"]:
        answer = decode_invocation_request(json.dumps(case["value"]))
        assert isinstance(answer, ErrorAnswer), case
        assert answer.status == 400
        assert answer.error["code"] == "VALIDATION_FAILED"
        assert {"field": case["field"], "rule": case["rule"]} in [
            {"field": issue["field"], "rule": issue["rule"]} for issue in answer.error["issues"]
        ], answer.error


def test_numbers_keep_their_type_and_exact_value():
    text = '{"input":[7.0,-0.0,0.5,123456789012345678901234567890,-1,1.5e300]}'
    decoded = decode_invocation_request(text)
    assert (
        serialise_output(decoded.input).body == b"[7.0,-0.0,0.5,123456789012345678901234567890,-1,1.5e+300]"
    )


def test_nan_and_infinity_are_refused_both_ways():
    for text in ('{"input": NaN}', '{"input": -Infinity}'):
        assert decode_invocation_request(text).error["code"] == "MALFORMED_JSON"
    assert serialise_output(float("inf")).error["code"] == "INVALID_OUTPUT"


def test_a_lone_surrogate_is_written_as_an_escape_not_invalid_utf8():
    decoded = decode_invocation_request('{"input":"a\\ud800b"}')
    assert serialise_output(decoded.input).body == b'"a\\ud800b"'


def test_null_metadata_means_absent_and_nesting_too_deep_is_malformed():
    assert decode_invocation_request('{"input":1,"metadata":null}').metadata == {}
    deep = '{"input":' + "[" * 200_000 + "]" * 200_000 + "}"
    assert decode_invocation_request(deep).error["code"] == "MALFORMED_JSON"


def test_bytes_are_binary_output_and_none_is_null():
    assert serialise_output(b"\x00\xff").content_type == "application/octet-stream"
    assert serialise_output(None).body == b"null"
