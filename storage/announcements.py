"""Stored announcements (what a coordinator composed); their fan-out lives in the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model import Announcement
from storage import tables
from storage.ids import storable


class SqlAnnouncements:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, announcement: Announcement) -> None:
        self.session.add(announcement)
        self.session.flush()

    def get(self, announcement_id: int) -> Announcement | None:
        return self.session.get(Announcement, announcement_id) if storable(announcement_id) else None

    def recent(self, *, limit: int = 10) -> list[Announcement]:
        stmt = select(Announcement).order_by(tables.announcements.c.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))
