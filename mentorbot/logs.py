"""Structured JSON logs with a request id, and never message content.

Each log line is one JSON object: time, level, logger, message, request_id (when handling an HTTP
request or a chat event) and any ``extra`` fields that are not content. Handlers set the request id
with :func:`bind_request_id`; the message text of a chat is never passed to the logger.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from aiohttp.abc import AbstractAccessLogger

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


MAX_REQUEST_ID = 64
_SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_REQUEST_ID}}}")


def bind_request_id(value: str | None = None) -> str:
    """The request id for this request's log lines (and its ``X-Request-Id`` answer): the caller's, when
    it is short and made only of letters, digits and ``. _ : -``; otherwise a fresh one. A caller's id is
    never written to the logs verbatim otherwise (no line breaks, escape codes or megabytes in a log)."""
    rid = value if value is not None and _SAFE_REQUEST_ID.fullmatch(value) else uuid.uuid4().hex[:16]
    request_id.set(rid)
    return rid


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, json_logs: bool, verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("alembic.runtime.migration", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


ACCESS_LOGGER = "mentorbot.access"
MAX_LOGGED_PATH = 200


class AccessLogger(AbstractAccessLogger):
    """One line per HTTP request: method, path, status and time in milliseconds (plus the request id in
    JSON logs). Never a body, a header or the query string: an OAuth redirect carries its code there, and
    a body is what people wrote. The path is logged as sent (percent-encoded), so it cannot break a line,
    and cut at 200 characters."""

    def log(self, request: Any, response: Any, time: float) -> None:
        path = request.rel_url.raw_path
        if len(path) > MAX_LOGGED_PATH:
            path = path[:MAX_LOGGED_PATH] + "..."
        method = request.method if request.method.isalpha() else "?"
        millis = round(time * 1000, 1)
        self.logger.info(
            "%s %s %s %.1f ms",
            method,
            path,
            response.status,
            millis,
            extra={"method": method, "path": path, "status": response.status, "duration_ms": millis},
        )


def access_log_options() -> dict[str, Any]:
    """Keyword arguments for ``aiohttp.web.AppRunner`` that turn on :class:`AccessLogger`."""
    return {"access_log_class": AccessLogger, "access_log": logging.getLogger(ACCESS_LOGGER)}
