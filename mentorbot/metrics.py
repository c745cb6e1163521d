"""The process's Prometheus series, on prometheus-client (one registry per runtime, so that two runtimes
in one process -- the tests -- never share counts).

Series (``GET /metrics``; the README lists them too):

* ``mentorbot_deliveries{status}`` -- gauge, outbox deliveries by status, read from the outbox at scrape
  time (the last values stay while the database cannot be read);
* ``mentorbot_handler_seconds{route}`` -- histogram, time to handle an HTTP request;
* ``mentorbot_scheduler_lag_seconds`` -- gauge, how late the last message sent was;
* ``mentorbot_channel_errors_total{channel,kind}`` -- counter, failures talking to a chat platform
  (every channel counts its own: Slack, Teams);
* ``mentorbot_send_failures_total{channel,kind}`` -- counter, outbox sends a platform did not take.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping

from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import disable_created_metrics
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

# no ``*_created`` samples: the series stay exactly the ones listed above (a process-wide switch)
disable_created_metrics()

log = logging.getLogger(__name__)

HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DELIVERY_STATUSES = ("pending", "claimed", "sent", "failed", "dead", "skipped", "unreachable")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.handler_seconds = Histogram(
            "mentorbot_handler_seconds",
            "time to handle an HTTP request",
            ["route"],
            buckets=HANDLER_BUCKETS,
            registry=self.registry,
        )
        self.scheduler_lag = Gauge(
            "mentorbot_scheduler_lag_seconds",
            "how late the last message sent was (seconds after it was due, or after this process started"
            " when it was due before)",
            registry=self.registry,
        )
        self.channel_errors = Counter(
            "mentorbot_channel_errors",
            "failures talking to a chat platform, by channel and kind",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.send_failures = Counter(
            "mentorbot_send_failures",
            "outbox sends a chat platform did not take, by channel and kind",
            ["channel", "kind"],
            registry=self.registry,
        )

    def count_deliveries(self, read: Callable[[], Mapping[str, int]]) -> None:
        """``mentorbot_deliveries{status}`` from ``read()`` (the outbox counts) at every scrape."""
        self.registry.register(_DeliveryCounts(read))

    def channel_error_counter(self, channel: str) -> Callable[[str], None]:
        """``count(kind)``: one more failure talking to ``channel`` (what a channel handler is given)."""

        def count(kind: str) -> None:
            self.channel_errors.labels(channel=channel, kind=kind).inc()

        return count

    def value(self, name: str, **labels: str) -> float | None:
        """The current value of one sample (``None`` when it has not been recorded)."""
        return self.registry.get_sample_value(name, labels)

    def render(self) -> str:
        """The Prometheus text exposition of every series."""
        return generate_latest(self.registry).decode("utf-8")


class _DeliveryCounts(Collector):
    """A custom collector: the outbox counts are read when Prometheus scrapes, not kept up to date."""

    def __init__(self, read: Callable[[], Mapping[str, int]]) -> None:
        self.read = read
        self.last: Mapping[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        try:
            self.last = self.read()
        except Exception:  # the database is down: /healthz says so; keep the last values
            log.debug("metrics: outbox counts unavailable", exc_info=True)
        family = GaugeMetricFamily("mentorbot_deliveries", "outbox deliveries by status", labels=["status"])
        for status in DELIVERY_STATUSES:
            family.add_metric([status], float(self.last.get(status, 0)))
        yield family
