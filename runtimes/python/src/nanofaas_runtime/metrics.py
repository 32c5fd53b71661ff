"""The runtime's Prometheus metrics, with the Node runtime's names (packages/runtime/README.md).

Under Gunicorn with more than one worker, prometheus_client's multiprocess mode is on
(PROMETHEUS_MULTIPROC_DIR, set by gunicorn_conf): every worker writes its values to a shared
directory and /metrics adds them up, whichever worker answers the scrape.
"""

from __future__ import annotations

import os
from typing import Any

import prometheus_client
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)

DURATION_BUCKETS_S = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

prometheus_client.disable_created_metrics()


class RuntimeMetrics:
    def __init__(self, init_duration_s: float) -> None:
        self._multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self._registry = CollectorRegistry(auto_describe=True)
        self.invocations = Counter(
            "nanofaas_runtime_invocations",
            "Answered /invoke requests by HTTP status.",
            ["status"],
            registry=self._registry,
        )
        self.duration = Histogram(
            "nanofaas_runtime_invocation_duration_seconds",
            "Time the handler ran, per invocation.",
            buckets=DURATION_BUCKETS_S,
            registry=self._registry,
        )
        self.in_flight = Gauge(
            "nanofaas_runtime_in_flight",
            "Invocations running now.",
            registry=self._registry,
            multiprocess_mode="livesum",
        )
        init = Gauge(
            "nanofaas_runtime_init_duration_seconds",
            "Time from process start until the runtime was ready.",
            registry=self._registry,
            multiprocess_mode="max",
        )
        init.set(init_duration_s)
        self._by_status: dict[int, Any] = {}
        if not self._multiprocess:
            ProcessCollector(registry=self._registry)

    def record(self, status: int, duration_ms: float | None) -> None:
        counter = self._by_status.get(status)
        if counter is None:
            counter = self._by_status.setdefault(status, self.invocations.labels(str(status)))
        counter.inc()
        if duration_ms is not None:
            self.duration.observe(duration_ms / 1000)

    def render(self) -> bytes:
        if not self._multiprocess:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
