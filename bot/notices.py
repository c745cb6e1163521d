"""Notices into the outbox: the one rule for turning a workflow's :class:`~bot.messages.Outbound` notices
(what a change tells the other people concerned) into outbox rows, whether the change came from chat
(``MentorBot``) or from the command line (``mentorbot relationship``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from bot.messages import Outbound
from bot.model import Delivery
from bot.ports import UnitOfWork
from bot.serialize import message_to_dict

NOTICE_PRIORITY = 20  # after a waiting reply (10), before every nudge but the most urgent


def enqueue_notices(uow: UnitOfWork, notices: Iterable[Outbound], now: datetime) -> None:
    """Queue each notice for now. Its dedupe key is built from its own ``key`` (so a retried action never
    notifies twice); a notice without one is always new."""
    for notice in notices:
        key = notice.key or uuid.uuid4().hex
        uow.deliveries.enqueue(
            Delivery(
                person_id=notice.person_id,
                kind=notice.kind,
                dedupe_key=f"{notice.kind}:{notice.person_id}:{key}",
                payload={"message": message_to_dict(notice.message)},
                due_at=now,
                priority=NOTICE_PRIORITY,
                created_at=now,
            )
        )
