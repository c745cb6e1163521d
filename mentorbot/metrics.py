"""A small Prometheus text-format registry: counters, gauges and latency histograms.

Kept dependency-free on purpose: the bot exposes a handful of series, and the exposition format is
simple. Series: ``mentorbot_deliveries{status}`` (gauge, read from the outbox at scrape time),
``mentorbot_handler_seconds{route}`` (histogram), ``mentorbot_scheduler_lag_seconds`` (gauge: how late
the last pass ran), ``mentorbot_channel_errors_total{channel,kind}`` (counter).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable

Labels = tuple[tuple[str, str], ...]
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(labels: dict[str, str] | None) -> Labels:
    return tuple(sorted((labels or {}).items()))


def _fmt(name: str, labels: Labels, value: float) -> str:
    if labels:
        inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
        return f"{name}{{{inner}}} {value:g}"
    return f"{name} {value:g}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._help: dict[str, tuple[str, str]] = {}
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._gauges: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._hist: dict[str, dict[Labels, list[float]]] = defaultdict(dict)
        self._collectors: list[Callable[[Metrics], None]] = []

    def describe(self, name: str, kind: str, text: str) -> None:
        self._help[name] = (kind, text)

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = _labels(labels)
        with self._lock:
            self._counters[name][key] = self._counters[name].get(key, 0.0) + amount

    def set(self, name: str, value: float, **labels: str) -> None:
        with self._lock:
            self._gauges[name][_labels(labels)] = value

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        key = _labels(labels)
        with self._lock:
            counts = self._hist[name].setdefault(key, [0.0] * (len(DEFAULT_BUCKETS) + 2))
            counts[bisect_left(DEFAULT_BUCKETS, seconds)] += 1
            counts[-1] += seconds

    def add_collector(self, collect: Callable[[Metrics], None]) -> None:
        """A function called at every scrape to refresh gauges (e.g. outbox counts)."""
        self._collectors.append(collect)

    def value(self, name: str, **labels: str) -> float | None:
        key = _labels(labels)
        with self._lock:
            for store in (self._counters, self._gauges):
                if key in store.get(name, {}):
                    return store[name][key]
        return None

    def render(self) -> str:
        for collect in self._collectors:
            collect(self)
        lines: list[str] = []
        with self._lock:
            for name, series in sorted(self._counters.items()):
                lines += self._header(name, "counter")
                lines += [_fmt(name, k, v) for k, v in sorted(series.items())]
            for name, series in sorted(self._gauges.items()):
                lines += self._header(name, "gauge")
                lines += [_fmt(name, k, v) for k, v in sorted(series.items())]
            for name, hseries in sorted(self._hist.items()):
                lines += self._header(name, "histogram")
                for key, counts in sorted(hseries.items()):
                    lines += list(self._histogram_lines(name, key, counts))
        return "\n".join(lines) + "\n"

    def _header(self, name: str, kind: str) -> list[str]:
        declared_kind, text = self._help.get(name, (kind, name.replace("_", " ")))
        return [f"# HELP {name} {text}", f"# TYPE {name} {declared_kind}"]

    def _histogram_lines(self, name: str, key: Labels, counts: list[float]) -> Iterable[str]:
        running = 0.0
        for bound, n in zip(DEFAULT_BUCKETS, counts, strict=False):
            running += n
            yield _fmt(f"{name}_bucket", (*key, ("le", f"{bound:g}")), running)
        running += counts[len(DEFAULT_BUCKETS)]
        yield _fmt(f"{name}_bucket", (*key, ("le", "+Inf")), running)
        yield _fmt(f"{name}_count", key, running)
        yield _fmt(f"{name}_sum", key, counts[-1])
