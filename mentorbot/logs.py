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
from datetime import UTC, datetime

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
    for noisy in ("alembic.runtime.migration", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
