"""The spec's "callback con retry": POST {CALLBACK_URL}/{EXECUTION_ID}:complete with backoff.

Network errors, 408, 429 and 5xx are retried with exponential backoff and ±20 % jitter
(Retry-After, when sent, is honoured up to the cap); another 4xx is final. 409 counts as delivered:
the control plane already holds a result for this execution and ignores late callbacks.
"""

from __future__ import annotations

import http.client
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from .logger import Logger


@dataclass(frozen=True)
class Completion:
    callback_url: str
    execution_id: str
    trace_id: str
    callback_token: str | None
    #: The CompletionCallback JSON, already serialised.
    body: bytes


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    reason: str = ""


def deliver_completion(
    completion: Completion,
    logger: Logger,
    max_attempts: int = 6,
    base_delay_s: float = 0.4,
    max_delay_s: float = 4.0,
    attempt_timeout_s: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> DeliveryResult:
    url = f"{completion.callback_url}/{quote(completion.execution_id, safe='')}:complete"
    headers = {
        "Content-Type": "application/json",
        "X-Execution-Id": completion.execution_id,
        "X-Trace-Id": completion.trace_id,
    }
    if completion.callback_token is not None:
        headers["Authorization"] = f"Bearer {completion.callback_token}"
    log = logger.child(executionId=completion.execution_id, traceId=completion.trace_id)
    reason = "no attempt was made"
    for attempt in range(1, max_attempts + 1):
        retry_after_s: float | None = None
        try:
            request = urllib.request.Request(url, data=completion.body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=attempt_timeout_s) as response:
                response.read()
            return DeliveryResult(True, attempt)
        except urllib.error.HTTPError as error:
            status = error.code
            if status == 409:
                return DeliveryResult(True, attempt)
            reason = f"the callback was answered with status {status}"
            if not (status in (408, 429) or status >= 500):
                return DeliveryResult(False, attempt, reason)
            retry_after_s = _retry_after(error.headers.get("Retry-After") if error.headers else None)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            reason = str(getattr(error, "reason", error)) or type(error).__name__
        if attempt == max_attempts:
            break
        backoff = min(max_delay_s, base_delay_s * 2 ** (attempt - 1)) * (0.8 + 0.4 * jitter())
        delay_s = min(max_delay_s, max(backoff, retry_after_s or 0))
        log.warn(
            "completion callback failed; retrying",
            attempt=attempt,
            reason=reason,
            delayMs=round(delay_s * 1000),
            url=url,
        )
        sleep(delay_s)
    return DeliveryResult(False, max_attempts, reason)


def _retry_after(header: str | None) -> float | None:
    if header is None or not header.strip().isdigit():
        return None
    return float(header.strip())
