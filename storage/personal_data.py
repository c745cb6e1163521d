"""Data rights: export everything stored about one person, or erase it while keeping anonymous counts.

Export reads content the way the person could: relationships they are a current member of through the
membership-checked :class:`storage.content.SqlContentAccess`, and in relationships they have left only
what they wrote themselves.

Erasure keeps the rows that programme reports count (the person row, memberships, meetings, action
items' status and due dates, check-in quadrants, outbox rows' states) and removes everything that says
who they are or what they wrote:

* the person row becomes "erased person #id" with a placeholder e-mail; stage, time zone, quiet hours
  and opt-outs are reset; they are marked inactive and ``erased_at`` is set. Roles, cohort and capacity
  stay, because reports group by them;
* chat identities, conversation state, network entries and asks are deleted;
* agenda items, notes and closing reflections they wrote are deleted; development goals they own keep
  their number, layer, programme goal and status (anonymous counts) but lose their words and note;
  action items they created or own keep their status and due date but lose their text, owner name and
  guide comment; ground-rule versions they proposed keep their keys and status but lose their
  answers; their check-ins keep the quadrant (an anonymous count) but lose the answers; meetings they
  scheduled lose location and cancellation reason; deliveries to them lose their message and error;
  phase changes they made lose their reason;
* finally every text and JSON column of every table is scanned for their e-mail address and name, and
  every text they wrote (whatever its length) is looked for where it may have been copied: the outbox
  (notices to the other members, sent or still pending), conversation state (half-finished forms),
  audit details, and the ground rules, meetings and actions of their relationships (a counter-proposal
  or a moved meeting keeps their answers). Each copy is replaced by ``[erased]``, as a whole word, so
  "ok" in "book" stays. Texts of ``MIN_SCRUB_LENGTH`` or more are hunted in every row of those tables;
  shorter ones only in rows of the people they shared a relationship with, where a copy can come from.
  Texts the programme itself suggested (``not_personal``: the default ground-rule answers) are not
  theirs and are left alone elsewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.errors import NotFound
from bot.model import Person
from storage import tables
from storage.content import SqlContentAccess
from storage.types import JSONValue

ERASED_TEXT = "[erased]"
MIN_SCRUB_LENGTH = 12  # shorter texts are hunted only in the rows of the people who shared a relationship


def erased_name(person_id: int) -> str:
    return f"erased person #{person_id}"


def erased_email(person_id: int) -> str:
    return f"erased-{person_id}@erased.invalid"


def _iso(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(mapping: Any, columns: list[str]) -> dict[str, Any]:
    return {c: _iso(mapping[c]) for c in columns}


class SqlPersonalData:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- export ----------------------------------------------------------------------------------
    def export(self, person_id: int) -> dict[str, Any]:
        person = self.session.get(Person, person_id)
        if person is None:
            raise NotFound("error.not_found")
        t = tables
        out: dict[str, Any] = {
            "profile": _row(self._one(t.people, person_id), [c.name for c in t.people.columns]),
            "identities": self._rows(t.chat_identities, t.chat_identities.c.person_id == person_id),
        }
        access = SqlContentAccess(self.session, person_id)
        current = {r.id for r in access.relationships()}
        relationships: list[dict[str, Any]] = []
        m = t.memberships
        mine = self.session.execute(
            select(m.c.relationship_id, m.c.side, m.c.joined_at, m.c.left_at)
            .where(m.c.person_id == person_id)
            .order_by(m.c.relationship_id, m.c.id)
        ).all()
        for rid, side, joined_at, left_at in mine:
            rel_row = self._one(t.relationships, rid)
            entry: dict[str, Any] = {
                **_row(rel_row, [c.name for c in t.relationships.columns if c.name != "programme_id"]),
                "your_side": side,
                "joined_at": _iso(joined_at),
                "left_at": _iso(left_at),
                "members": [
                    {"name": name, "side": s}
                    for name, s in self.session.execute(
                        select(t.people.c.name, m.c.side)
                        .join(t.people, t.people.c.id == m.c.person_id)
                        .where(m.c.relationship_id == rid, m.c.left_at.is_(None))
                        .order_by(m.c.id)
                    )
                ],
                "phase_history": self._rows(
                    t.phase_changes, t.phase_changes.c.relationship_id == rid, drop=("relationship_id",)
                ),
            }
            if rid in current and left_at is None:
                entry["content"] = self._visible_content(access, rid)
            else:
                entry["content_you_wrote"] = self._authored_in(rid, person_id)
            relationships.append(entry)
        out["relationships"] = relationships
        out["check_ins"] = self._rows(t.checkins, t.checkins.c.person_id == person_id)
        out["closing_reflections"] = self._rows(
            t.closing_reflections, t.closing_reflections.c.person_id == person_id
        )
        out["goals"] = self._rows(t.goals, t.goals.c.owner_id == person_id)
        out["network"] = self._rows(t.network_entries, t.network_entries.c.person_id == person_id)
        out["network_asks"] = self._rows(t.network_asks, t.network_asks.c.person_id == person_id)
        out["announcements_written"] = self._rows(t.announcements, t.announcements.c.author_id == person_id)
        out["deliveries"] = self._rows(
            t.deliveries, t.deliveries.c.person_id == person_id, drop=("lease_until", "dedupe_key")
        )
        a = t.audit_events
        out["audit_events"] = self._rows(
            a, or_(a.c.actor_id == person_id, a.c.target == f"person:{person_id}")
        )
        out["conversation"] = self._rows(t.conversations, t.conversations.c.person_id == person_id)
        return out

    def _visible_content(self, access: SqlContentAccess, rid: int) -> dict[str, Any]:
        def plain(obj: Any, *drop: str) -> dict[str, Any]:
            return {
                k: _iso(v)
                for k, v in vars(obj).items()
                if not k.startswith("_") and k not in ("relationship_id", *drop)
            }

        return {
            "ground_rules": [
                {**plain(g, "confirmations"), "confirmed_by": [c.person_id for c in g.confirmations]}
                for g in access.ground_rules(rid)
            ],
            "meetings": [plain(mt) for mt in access.meetings(rid)],
            "agenda": [plain(i) for i in access.agenda(rid)],
            "actions": [plain(i) for i in access.actions(rid)],
            "notes": [plain(n) for n in access.notes(rid)],
            "closing_reflections": [plain(r) for r in access.closing_reflections(rid)],
            "goals": [plain(gl) for gl in access.goals(rid)],
            "check_ins_shared_with_you": [
                plain(c) for c in access.checkins(rid) if c.person_id != access.viewer_id
            ],
        }

    def _authored_in(self, rid: int, person_id: int) -> dict[str, Any]:
        t = tables
        return {
            "agenda": self._rows(
                t.agenda_items,
                (t.agenda_items.c.relationship_id == rid) & (t.agenda_items.c.author_id == person_id),
            ),
            "actions": self._rows(
                t.action_items,
                (t.action_items.c.relationship_id == rid)
                & or_(t.action_items.c.created_by == person_id, t.action_items.c.owner_id == person_id),
            ),
            "notes": self._rows(
                t.notes, (t.notes.c.relationship_id == rid) & (t.notes.c.author_id == person_id)
            ),
            "goals": self._rows(
                t.goals, (t.goals.c.relationship_id == rid) & (t.goals.c.owner_id == person_id)
            ),
            "ground_rules": self._rows(
                t.ground_rules,
                (t.ground_rules.c.relationship_id == rid) & (t.ground_rules.c.proposed_by == person_id),
            ),
        }

    def _one(self, table: Table, row_id: int) -> Any:
        return self.session.execute(select(table).where(table.c.id == row_id)).mappings().one()

    def _rows(self, table: Table, where: Any, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        columns = [c.name for c in table.columns if c.name not in drop]
        stmt = select(table).where(where).order_by(*table.primary_key.columns)
        return [_row(r, columns) for r in self.session.execute(stmt).mappings()]

    # -- erasure -----------------------------------------------------------------------------------
    def erase(self, person_id: int, now: datetime, not_personal: Collection[str] = ()) -> dict[str, int]:
        person = self.session.get(Person, person_id)
        if person is None:
            raise NotFound("error.not_found")
        t = tables
        s = self.session
        email, name = person.email, person.name
        counts: dict[str, int] = {}

        def count(key: str, n: int) -> None:
            if n:
                counts[key] = counts.get(key, 0) + n

        s.flush()
        erased_texts = self._texts_to_erase(person_id, not_personal)
        cancelled_by = self._cancelled_by(person_id)
        co_members = self._co_members(person_id)
        relationship_ids = self._relationship_ids(person_id)
        count("identities", self._delete(t.chat_identities, t.chat_identities.c.person_id == person_id))
        count("conversations", self._delete(t.conversations, t.conversations.c.person_id == person_id))
        count("network entries", self._delete(t.network_entries, t.network_entries.c.person_id == person_id))
        count("network asks", self._delete(t.network_asks, t.network_asks.c.person_id == person_id))
        count("notes", self._delete(t.notes, t.notes.c.author_id == person_id))
        count(
            "closing reflections",
            self._delete(t.closing_reflections, t.closing_reflections.c.person_id == person_id),
        )
        count("agenda items", self._delete(t.agenda_items, t.agenda_items.c.author_id == person_id))
        count("goals", self._update(t.goals, t.goals.c.owner_id == person_id, text="", note=""))
        a = t.action_items
        count(
            "action items",
            self._update(
                a,
                or_(a.c.created_by == person_id, a.c.owner_id == person_id),
                text="",
                guide_comment="",
                owner_name="",
            ),
        )
        g = t.ground_rules
        for gid, items in s.execute(select(g.c.id, g.c["items"]).where(g.c.proposed_by == person_id)).all():
            s.execute(update(g).where(g.c.id == gid).values(items={str(k): "" for k in (items or {})}))
            count("ground rules", 1)
        mt = t.meetings
        count("meetings", self._update(mt, mt.c.id.in_(cancelled_by), cancel_reason=""))
        count(
            "check-ins",
            self._update(t.checkins, t.checkins.c.person_id == person_id, support=0, challenge=0, safety=0),
        )
        count(
            "meetings",
            self._update(t.meetings, t.meetings.c.scheduled_by == person_id, location="", cancel_reason=""),
        )
        count(
            "deliveries",
            self._update(t.deliveries, t.deliveries.c.person_id == person_id, payload={}, last_error=""),
        )
        count(
            "phase changes",
            self._update(t.phase_changes, t.phase_changes.c.by_person_id == person_id, reason=""),
        )
        s.expire_all()
        person = s.get(Person, person_id)
        assert person is not None
        person.identities.clear()
        person.name = erased_name(person_id)
        person.email = erased_email(person_id)
        person.stage = ""
        person.timezone = "UTC"
        person.quiet_start = person.quiet_end = None
        person.opt_outs = []
        person.paused, person.paused_until = False, None
        person.active = False
        person.erased_at = now
        s.flush()
        count("mentions", self._scrub_everywhere(email, name, erased_name(person_id)))
        count("quoted texts", self._scrub_quotes(erased_texts, co_members, relationship_ids))
        return counts

    def _texts_to_erase(self, person_id: int, not_personal: Collection[str] = ()) -> list[str]:
        """Every free text the person wrote, of any length: each may have been copied elsewhere."""
        t = tables
        texts: list[str] = []
        a = t.action_items
        theirs = or_(a.c.created_by == person_id, a.c.owner_id == person_id)
        mt = t.meetings
        for stmt in (
            select(t.agenda_items.c.text).where(t.agenda_items.c.author_id == person_id),
            select(t.notes.c.text).where(t.notes.c.author_id == person_id),
            select(t.goals.c.text).where(t.goals.c.owner_id == person_id),
            select(t.goals.c.note).where(t.goals.c.owner_id == person_id),
            select(a.c.text).where(theirs),
            select(a.c.guide_comment).where(theirs),
            select(a.c.owner_name).where(a.c.created_by == person_id),
            select(t.network_asks.c.ask).where(t.network_asks.c.person_id == person_id),
            *(
                select(t.closing_reflections.c[column]).where(t.closing_reflections.c.person_id == person_id)
                for column in ("gained", "next_steps", "thanks")
            ),
            select(t.network_asks.c.asked_of).where(t.network_asks.c.person_id == person_id),
            select(t.network_entries.c.guide_name).where(t.network_entries.c.person_id == person_id),
            select(mt.c.location).where(mt.c.scheduled_by == person_id),
            select(mt.c.cancel_reason).where(
                or_(mt.c.scheduled_by == person_id, mt.c.id.in_(self._cancelled_by(person_id)))
            ),
            select(t.phase_changes.c.reason).where(t.phase_changes.c.by_person_id == person_id),
        ):
            texts += [str(x) for x in self.session.scalars(stmt) if x]
        g = t.ground_rules
        for items in self.session.scalars(select(g.c["items"]).where(g.c.proposed_by == person_id)):
            texts += [str(v) for v in (items or {}).values() if v]
        skip = {x.strip() for x in not_personal}
        found = {x.strip() for x in texts if x.strip() and x.strip() not in skip}
        return sorted(found, key=len, reverse=True)

    def _cancelled_by(self, person_id: int) -> list[int]:
        """Meetings this person cancelled (the audit trail says who; the meeting row does not)."""
        a = tables.audit_events
        targets = self.session.scalars(
            select(a.c.target).where(a.c.actor_id == person_id, a.c.action == "meeting.cancelled")
        )
        return [int(x.split(":", 1)[1]) for x in targets if x.startswith("meeting:") and x[8:].isdigit()]

    def _relationship_ids(self, person_id: int) -> list[int]:
        m = tables.memberships
        return list(self.session.scalars(select(m.c.relationship_id).where(m.c.person_id == person_id)))

    def _co_members(self, person_id: int) -> list[int]:
        """Everyone who shared a relationship with the person (now or before), the person included."""
        m = tables.memberships
        rels = select(m.c.relationship_id).where(m.c.person_id == person_id)
        return sorted(
            {person_id, *self.session.scalars(select(m.c.person_id).where(m.c.relationship_id.in_(rels)))}
        )

    def _delete(self, table: Table, where: Any) -> int:
        return int(self.session.execute(delete(table).where(where)).rowcount or 0)  # type: ignore[attr-defined]

    def _update(self, table: Table, where: Any, **values: Any) -> int:
        return int(self.session.execute(update(table).where(where).values(**values)).rowcount or 0)  # type: ignore[attr-defined]

    def _scrub_everywhere(self, email: str, name: str, replacement: str) -> int:
        """Replace the e-mail address and the full name wherever they still appear, in every table.

        Other people's own e-mail and name columns are left alone: "eli@x.org" is part of
        "neli@x.org", and a name may be part of someone else's.
        """
        patterns = [re.compile(r"(?<![\w.%+-])" + re.escape(email) + r"(?![\w-])(?!\.\w)", re.IGNORECASE)]
        needles = [email]
        if len(name.strip()) >= 3:
            patterns.append(re.compile(r"\b" + re.escape(name.strip()) + r"\b", re.IGNORECASE))
            needles.append(name.strip())
        changed = 0
        for table in tables.metadata.sorted_tables:
            skip = ("email", "name") if table is tables.people else ()
            changed += self._scrub_table(table, needles, patterns, replacement, skip=skip)
        return changed

    def _scrub_quotes(self, texts: list[str], co_members: list[int], relationship_ids: list[int]) -> int:
        """Other people's outbox messages, half-finished forms, audit details and shared records may
        quote what was just erased: replace each copy, long texts anywhere, short ones near the person."""
        if not texts:
            return 0
        t = tables
        near: list[tuple[Table, Any]] = [
            (t.deliveries, t.deliveries.c.person_id.in_(co_members)),
            (t.conversations, t.conversations.c.person_id.in_(co_members)),
            (t.audit_events, t.audit_events.c.actor_id.in_(co_members)),
            (t.ground_rules, t.ground_rules.c.relationship_id.in_(relationship_ids)),
            (t.meetings, t.meetings.c.relationship_id.in_(relationship_ids)),
            (t.action_items, t.action_items.c.relationship_id.in_(relationship_ids)),
        ]
        long = [x for x in texts if len(x) >= MIN_SCRUB_LENGTH]
        changed = 0
        for table, where in near:
            changed += self._scrub_table(table, texts, _word_patterns(texts), ERASED_TEXT, where=where)
            if long:
                changed += self._scrub_table(table, long, _word_patterns(long), ERASED_TEXT)
        return changed

    def _scrub_table(
        self,
        table: Table,
        needles: list[str],
        patterns: list[re.Pattern[str]],
        replacement: str,
        skip: tuple[str, ...] = (),
        where: Any = None,
    ) -> int:
        pk = list(table.primary_key.columns)
        changed = 0
        for column in table.columns:
            if column.primary_key or column.foreign_keys or column.name in skip:
                continue
            is_json = isinstance(column.type, JSONValue | JSON)
            if not (is_json or isinstance(column.type, String | Text)):
                continue
            as_text = cast(column, Text) if is_json else column
            # JSON stores non-ASCII letters escaped (\u00e9), so look for that spelling too
            spellings = {n.lower() for n in needles} | {
                json.dumps(n)[1:-1].lower() for n in needles if is_json
            }
            hit = or_(*(func.lower(as_text).contains(n, autoescape=True) for n in spellings))
            stmt = select(*pk, column).where(hit)
            if where is not None:
                stmt = stmt.where(where)
            for row in self.session.execute(stmt).all():
                key, value = row[:-1], row[-1]
                new = _replace_in(value, patterns, replacement)
                if new != value:
                    same_row = [c == k for c, k in zip(pk, key, strict=True)]
                    self.session.execute(update(table).where(*same_row).values({column.name: new}))
                    changed += 1
        return changed


def _word_patterns(texts: list[str]) -> list[re.Pattern[str]]:
    """Each text as a whole word (not inside a longer word), longest first."""
    return [re.compile(r"(?<!\w)" + re.escape(x) + r"(?!\w)") for x in texts]


def _replace_in(value: Any, patterns: list[re.Pattern[str]], replacement: str) -> Any:
    """``value`` (text, or JSON made of dicts, lists and text) with every pattern replaced."""
    if isinstance(value, str):
        for p in patterns:
            value = p.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {
            _replace_in(k, patterns, replacement): _replace_in(v, patterns, replacement)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_replace_in(v, patterns, replacement) for v in value]
    return value
