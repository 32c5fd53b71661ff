"""Execution and trace ids."""

from __future__ import annotations

import re
import uuid

# W3C Trace Context: version-traceid-parentid-flags; an all-zero trace id is invalid.
# https://www.w3.org/TR/trace-context/#traceparent-header
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")
_ZERO_TRACE_ID = "0" * 32


def generate_trace_id() -> str:
    return uuid.uuid4().hex


def generate_execution_id() -> str:
    return str(uuid.uuid4())


def resolve_trace_id(trace_id: str | None, traceparent: str | None) -> str:
    """X-Trace-Id, else the trace-id of a valid traceparent, else a new one."""
    if trace_id:
        return trace_id
    if traceparent:
        match = _TRACEPARENT.match(traceparent.strip())
        if match and match.group(1) != _ZERO_TRACE_ID:
            return match.group(1)
    return generate_trace_id()
