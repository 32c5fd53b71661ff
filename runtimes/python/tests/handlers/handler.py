"""Test handlers with the default names: handle(request) and friends, chosen by HANDLER_FUNCTION."""

import time

from nanofaas_runtime import FunctionError


def handle(request):
    data = request["input"]
    if isinstance(data, dict) and data.get("action") == "fail":
        raise FunctionError("OUT_OF_STOCK", "none left", retryable=True, details={"sku": data.get("sku")})
    if isinstance(data, dict) and data.get("action") == "crash":
        raise ValueError("the database is down")
    if isinstance(data, dict) and data.get("action") == "block":
        time.sleep(data["seconds"])
        return "woke up"
    if isinstance(data, bytes):
        return {"size": len(data), "contentType": request["contentType"], "head": list(data[:4])}
    return {"echo": data, "keys": sorted(request)}


def with_context(request, context):
    context.logger.info("context logger", answer=42)
    return {
        "functionName": context.function_name,
        "executionId": context.execution_id,
        "traceId": context.trace_id,
        "remainingMs": context.remaining_ms(),
        "attempt": request["attempt"],
    }


async def async_handle(request, context):
    import asyncio

    await asyncio.sleep(0.01)
    return {"async": True, "input": request["input"], "remainingPositive": context.remaining_ms() > 0}


def returns_set(request):
    return {1, 2}


def returns_nan(request):
    return float("nan")


NOT_A_FUNCTION = 42


def echo(request):
    return request["input"]
