"""The conformance handler of the Python runtime: its behaviour is chosen by the input,
{"action": "...", ...} (test/runtime-conformance/README.md, "The conformance handler").
Any other input is echoed back unchanged."""

import asyncio
import time

from nanofaas_runtime import FunctionError


async def handle(request, context):
    data = request["input"]
    if isinstance(data, bytes):
        return {"contentType": request["contentType"], "text": data.decode("utf-8"), "bytes": len(data)}
    action = data.get("action") if isinstance(data, dict) else None
    if action == "fail":
        raise FunctionError(data["code"], data["message"], data.get("retryable", False), data.get("details"))
    if action == "throw":
        raise RuntimeError(data["message"])
    if action == "sleep":
        await asyncio.sleep(data["ms"] / 1000)
        return {"slept": data["ms"]}
    if action == "none":
        return None
    if action == "unserialisable":
        return {"handle": object()}
    if action == "binary":
        return data["text"].encode("utf-8")
    if action == "print":
        print("printed by the function")
        context.logger.info("logged by the function", step=1)
        return "printed"
    if action == "describe":
        return {
            "metadata": request["metadata"],
            "executionId": request["executionId"],
            "traceId": request["traceId"],
            "contentType": request["contentType"],
            "attempt": request["attempt"],
            "deadlineInFuture": request["deadline"] > time.time() * 1000,
            "remainingMs": context.remaining_ms(),
            "functionName": context.function_name,
        }
    return data
