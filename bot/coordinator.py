"""What only coordinators may do, and the audit trail of it.

Every coordinator action goes through here, whether it comes from chat or the CLI: the role check
(which audits a refusal before refusing), the change itself, and an :class:`~bot.model.AuditEvent`
saying who did what to what, and when. Audit details hold ids, names of settings and counts -- never
content a member wrote, and never an e-mail address.

Audit targets are written ``person:<id>``, ``relationship:<id>`` or ``announcement:<id>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotFound
from bot.errors import NotPermitted
from bot.messages import Message
from bot.messages import Outbound
from bot.messages import Reply
from bot.messages import Text
from bot.model import AuditEvent
from bot.model import Membership
from bot.model import Person
from bot.model import PhaseChange
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.phases import set_phase
from bot.ports import UnitOfWork
from bot.programme import ProgrammeConfig
from bot.validation import clean_text

REFUSED = "refused"
NAME_LIMIT = 200
EMAIL_LIMIT = 320
REASON_LIMIT = 500
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


def audit(
    uow: UnitOfWork,
    actor: Person | None,
    action: str,
    target: str,
    now: datetime,
    *,
    outcome: str = "ok",
    **detail: Any,
) -> None:
    uow.audit.record(
        AuditEvent(
            at=now,
            action=action,
            actor_id=actor.id if actor is not None else None,
            target=target,
            outcome=outcome,
            detail=dict(detail),
        )
    )


def refuse_unless_coordinator(
    uow: UnitOfWork, person: Person, action: str, now: datetime, target: str = ""
) -> None:
    """Raise ``NotPermitted`` unless ``person`` is a coordinator, after recording the refused attempt.

    The refusal is committed at once: the bot rolls back the transaction of any request that ends in
    an error, and the audit trail must keep the attempt. Call this before changing anything.
    """
    if person.is_coordinator:
        return
    audit(uow, person, action, target, now, outcome=REFUSED)
    uow.commit()
    raise NotPermitted("coordinator.only", action=action)


def acting_coordinator(uow: UnitOfWork, email: str, action: str, now: datetime, target: str = "") -> Person:
    """The coordinator a command-line action is done as (``--as EMAIL``): a programme member, else
    ``NotFound``; not a coordinator, refused and audited as :func:`refuse_unless_coordinator` does."""
    person = uow.people.by_email(email)
    if person is None or not person.in_programme:
        raise NotFound("coordinator.cli.not_a_person", email=email[:320])
    refuse_unless_coordinator(uow, person, action, now, target)
    return person


def require_coordinator(ctx: Context, action: str, target: str = "") -> None:
    """In a workflow handler: only coordinators get past this; anyone else is refused and audited."""
    refuse_unless_coordinator(ctx.uow, ctx.person, action, ctx.now(), target)


# -- relationships -----------------------------------------------------------------------------------


def relationship_number(raw: str | None) -> int:
    text = (raw or "").strip().lstrip("#")
    if not text.isdecimal():
        raise InvalidInput("coordinator.relationship.number_expected", got=(raw or "")[:20])
    return int(text)


def find_relationship(uow: UnitOfWork, relationship_id: int) -> Relationship:
    rel = uow.relationships.get(relationship_id)
    if rel is None:
        raise NotFound("coordinator.relationship.no_such", number=relationship_id)
    return rel


def _not_ended(rel: Relationship) -> None:
    if rel.status == RelationshipStatus.ENDED:
        raise InvalidInput("coordinator.relationship.already_ended", number=rel.id)


def pause_relationship(uow: UnitOfWork, rel: Relationship, actor: Person, now: datetime) -> None:
    _not_ended(rel)
    if rel.status == RelationshipStatus.PAUSED:
        raise InvalidInput("coordinator.relationship.already_paused", number=rel.id)
    rel.status = RelationshipStatus.PAUSED
    audit(uow, actor, "relationship.pause", f"relationship:{rel.id}", now)


def resume_relationship(uow: UnitOfWork, rel: Relationship, actor: Person, now: datetime) -> None:
    _not_ended(rel)
    if rel.status != RelationshipStatus.PAUSED:
        raise InvalidInput("coordinator.relationship.not_paused", number=rel.id)
    rel.status = RelationshipStatus.ACTIVE
    audit(uow, actor, "relationship.resume", f"relationship:{rel.id}", now)


@dataclass(frozen=True)
class Ending:
    """What ending a relationship writes -- the one rule, whether a coordinator ends it or it ends by
    itself once closure is over (``scheduler.planpass``): status ended, the end instant kept, a planned
    end never later than the real one, and an audit event. Members, history and content stay, so reports
    still count what happened and members can still write their closing reflection."""

    status: str
    ended_at: datetime
    planned_end: date
    audit: AuditEvent


def ending(rel: Relationship, actor: Person | None, at: datetime, now: datetime, **detail: Any) -> Ending:
    """How ``rel`` ends at ``at`` (recorded ``now``); ``actor`` None: the bot itself."""
    day = at.date()
    planned_end = rel.planned_end if rel.planned_end is not None and rel.planned_end <= day else day
    event = AuditEvent(
        at=now,
        action="relationship.end",
        actor_id=actor.id if actor is not None else None,
        target=f"relationship:{rel.id}",
        outcome="ok",
        detail=dict(detail),
    )
    return Ending(RelationshipStatus.ENDED, at, planned_end, event)


def end_relationship(uow: UnitOfWork, rel: Relationship, actor: Person, now: datetime) -> None:
    """End it, without fault (see :class:`Ending`)."""
    _not_ended(rel)
    end = ending(rel, actor, now, now)
    rel.status, rel.ended_at, rel.planned_end = end.status, end.ended_at, end.planned_end
    uow.audit.record(end.audit)


def change_phase(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    rel: Relationship,
    phase: str,
    actor: Person,
    now: datetime,
) -> str:
    """Set the phase by hand; returns the phase it was in before."""
    _not_ended(rel)
    wanted = phase.strip().lower()
    names = programme.phase_names()
    if wanted not in names:
        raise InvalidInput("coordinator.phase.unknown", phase=phase[:40], phases=", ".join(names))
    before = rel.phase
    if set_phase(rel, wanted, actor.id, "set by a coordinator", now) is None:
        raise InvalidInput("coordinator.phase.already", number=rel.id, phase=wanted)
    audit(uow, actor, "relationship.phase", f"relationship:{rel.id}", now, **{"from": before, "to": wanted})
    return before


# -- re-matching -------------------------------------------------------------------------------------


def guide_capacity(person: Person, programme: ProgrammeConfig) -> int:
    return person.capacity if person.capacity is not None else programme.max_learners_per_guide


@dataclass(frozen=True)
class GuideOption:
    person: Person
    learners: int
    capacity: int


def rematch_options(uow: UnitOfWork, programme: ProgrammeConfig, rel: Relationship) -> list[GuideOption]:
    """Guides who could take this relationship's learner: active, with room, not already guiding them."""
    learner = _single_learner(rel)
    counts = uow.relationships.learner_counts()
    already = _guides_of(uow, learner)
    options = [
        GuideOption(p, counts.get(p.id or 0, 0), guide_capacity(p, programme))
        for p in uow.people.all()
        if p.has_role(Role.GUIDE) and p.in_programme and p.id not in already and p.id != learner.id
    ]
    return sorted(
        (o for o in options if o.learners < o.capacity), key=lambda o: (o.learners, o.person.name.lower())
    )


def _single_learner(rel: Relationship) -> Person:
    learners = rel.learners()
    if len(learners) != 1:
        raise InvalidInput("coordinator.rematch.one_learner", number=rel.id, learners=len(learners))
    return learners[0]


def _guides_of(uow: UnitOfWork, learner: Person) -> set[int]:
    """Guides in the learner's relationships that have not ended."""
    assert learner.id is not None
    guides: set[int] = set()
    for r in uow.relationships.of_person(learner.id):
        membership = r.member(learner.id)
        if membership is not None and membership.side == Side.LEARNER:
            guides |= {g.id for g in r.guides() if g.id is not None}
    return guides


def _known_assessor(uow: UnitOfWork, guide: Person, learner: Person) -> bool:
    """Whether an earlier match of these two was flagged because the guide assesses the learner."""
    assert learner.id is not None and guide.id is not None
    for r in uow.relationships.of_person(learner.id, include_ended=True):
        if r.assessor_conflict and any(g.id == guide.id for g in r.guides()):
            return True
    return False


def rematch(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    rel: Relationship,
    guide: Person,
    actor: Person,
    now: datetime,
    *,
    assesses: bool = False,
    override_reason: str = "",
) -> Relationship:
    """End ``rel`` and start a new relationship of the same kind between its learner and ``guide``.

    The new guide must be an active guide with room under their capacity, not already guiding this
    learner. If the guide formally assesses the learner (said so now, or flagged on an earlier match
    of the two), the match is refused unless an override reason is given (domain.md §2).
    """
    _not_ended(rel)
    learner = _single_learner(rel)
    assert guide.id is not None and learner.id is not None
    if not guide.has_role(Role.GUIDE) or not guide.in_programme:
        raise InvalidInput("coordinator.rematch.not_a_guide", name=guide.name)
    if guide.id == learner.id or guide.id in _guides_of(uow, learner):
        raise InvalidInput("coordinator.rematch.same_guide", name=guide.name)
    load = uow.relationships.learner_counts().get(guide.id, 0)
    capacity = guide_capacity(guide, programme)
    if load >= capacity:
        raise InvalidInput("coordinator.rematch.full", name=guide.name, learners=load, capacity=capacity)
    reason = clean_text(override_reason, "override reason", REASON_LIMIT, required=False)
    conflict = assesses or _known_assessor(uow, guide, learner)
    if conflict and not reason:
        raise InvalidInput("coordinator.rematch.assessor", name=guide.name)
    today = now.astimezone(programme.zone).date()
    first_phase = programme.phase_names()[0]
    new = Relationship(
        kind=rel.kind,
        format=rel.format,
        phase=first_phase,
        started_on=today,
        planned_end=rel.planned_end if rel.planned_end is not None and rel.planned_end > today else None,
        cadence_days=rel.cadence_days,
        assessor_conflict=conflict,
        override_reason=reason if conflict else "",
        created_at=now,
        members=[
            Membership(person=guide, side=Side.GUIDE, joined_at=now),
            Membership(person=learner, side=Side.LEARNER, joined_at=now),
        ],
        programme_id=rel.programme_id,
    )
    new.phase_history.append(
        PhaseChange(phase=first_phase, at=now, reason=f"re-matched from #{rel.id}", by_person_id=actor.id)
    )
    rel.status = RelationshipStatus.ENDED
    rel.planned_end = today
    rel.ended_at = now
    uow.relationships.add(new)
    uow.flush()  # the audit record names the new relationship's id
    audit(
        uow,
        actor,
        "relationship.rematch",
        f"relationship:{rel.id}",
        now,
        new_relationship=new.id,
        guide=guide.id,
        learner=learner.id,
        assessor_conflict=conflict,
    )
    return new


# -- telling the members ------------------------------------------------------------------------------


def member_notices(
    programme: ProgrammeConfig, rel: Relationship, key: str, event: str, now: datetime, **values: object
) -> list[Outbound]:
    """One notice per current member of ``rel`` saying what a coordinator changed (catalogue ``key``)."""
    return [
        Outbound(
            m.person.id,
            Message((Text(programme.text(key, number=rel.id, **values)),)),
            kind="notice",
            key=f"coordinator-{rel.id}-{event}-{now.isoformat()}",
        )
        for m in rel.current_members()
        if m.person.id is not None
    ]


def rematch_notices(programme: ProgrammeConfig, old: Relationship, new: Relationship) -> list[Outbound]:
    """The learner and the new guide hear about the new relationship; the old guide that it ended."""
    learner, guide = new.learners()[0], new.guides()[0]
    assert learner.id is not None and guide.id is not None
    key = f"rematch-{new.id}"

    def notice(person_id: int, text_key: str, **values: object) -> Outbound:
        return Outbound(person_id, Message((Text(programme.text(text_key, **values)),)), key=key)

    notices = [
        notice(
            learner.id, "coordinator.notice.rematched_learner", guide=guide.name, number=new.id, kind=new.kind
        ),
        notice(
            guide.id, "coordinator.notice.rematched_guide", learner=learner.name, number=new.id, kind=new.kind
        ),
    ]
    for old_guide in old.guides():
        if old_guide.id is not None and old_guide.id != guide.id:
            notices.append(notice(old_guide.id, "coordinator.notice.ended", number=old.id))
    return notices


# -- one change, written once ------------------------------------------------------------------------

CHANGES = ("pause", "resume", "end", "phase", "rematch")


@dataclass(frozen=True)
class Changed:
    """A coordinator's change, done: the confirmation for them and the notices for the people concerned.
    Chat (``bot.workflows.coordinator``) and the command line (``mentorbot relationship``) both make their
    changes through :func:`apply_change`, so the two cannot drift apart."""

    confirmation: str
    notices: list[Outbound]
    relationship: Relationship  # the one changed (for a re-match: the new one)

    def reply(self, *, replace: bool = False) -> Reply:
        reply = Reply(replace=replace).say(Text(self.confirmation))
        reply.notices += self.notices
        return reply


def apply_change(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    rel: Relationship,
    change: str,
    actor: Person,
    now: datetime,
    *,
    phase: str = "",
    guide: Person | None = None,
    assesses: bool = False,
    override_reason: str = "",
) -> Changed:
    """Make one of :data:`CHANGES` to ``rel`` (audited) and say what it did; the caller checked that
    ``actor`` is a coordinator, queues the notices and commits.  ``phase`` is for ``phase``, ``guide``,
    ``assesses`` and ``override_reason`` for ``rematch``."""
    if change == "pause":
        pause_relationship(uow, rel, actor, now)
        return _told(programme, rel, "paused", now)
    if change == "resume":
        resume_relationship(uow, rel, actor, now)
        return _told(programme, rel, "resumed", now)
    if change == "end":
        end_relationship(uow, rel, actor, now)
        return _told(programme, rel, "ended", now)
    if change == "phase":
        before = change_phase(uow, programme, rel, phase, actor, now)
        text = programme.text("coordinator.phase.changed", number=rel.id, before=before, after=rel.phase)
        # no notice here: the scheduler's phase prompt tells each member once, at their own morning,
        # with what the new phase asks of them (issue 12)
        return Changed(text, [], rel)
    if change == "rematch":
        if guide is None:
            raise InvalidInput("coordinator.rematch.choose_guide")
        new = rematch(
            uow, programme, rel, guide, actor, now, assesses=assesses, override_reason=override_reason
        )
        text = programme.text(
            "coordinator.rematch.done",
            old=rel.id,
            new=new.id,
            learner=new.learners()[0].name,
            guide=guide.name,
        )
        return Changed(text, rematch_notices(programme, rel, new), new)
    raise ValueError(f"not a coordinator's change: {change!r}")


def _told(programme: ProgrammeConfig, rel: Relationship, event: str, now: datetime) -> Changed:
    """Paused, resumed or ended: the coordinator's confirmation and the same news for every member."""
    return Changed(
        programme.text(f"coordinator.relationship.{event}", number=rel.id),
        member_notices(programme, rel, f"coordinator.notice.{event}", event, now),
        rel,
    )


# -- people ------------------------------------------------------------------------------------------


def add_person(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    email: str,
    name: str,
    role: str,
    actor: Person | None,
    now: datetime,
) -> Person:
    """Add someone to the programme with one role; they are linked to chat when they first write."""
    clean_email = clean_text(email, "e-mail address", EMAIL_LIMIT).lower()
    if not _EMAIL.fullmatch(clean_email):
        raise InvalidInput("coordinator.person.bad_email", email=clean_email[:80])
    clean_name = clean_text(name, "name", NAME_LIMIT)
    wanted = role.strip().lower()
    roles = [r.value for r in Role]
    if wanted not in roles:
        raise InvalidInput("coordinator.person.bad_role", role=role[:40], roles=", ".join(roles))
    if uow.people.by_email(clean_email) is not None:
        raise InvalidInput("coordinator.person.exists", email=clean_email)
    programme_row = uow.programmes.get_or_create(programme.slug, programme.name)
    person = Person(
        email=clean_email,
        name=clean_name,
        roles=[wanted],
        timezone=programme.timezone,
        created_at=now,
        programme_id=programme_row.id,
    )
    uow.people.add(person)
    uow.flush()
    audit(uow, actor, "person.add", f"person:{person.id}", now, role=wanted)
    return person


# -- the audit trail, for reading ----------------------------------------------------------------------

# detail keys shown when reading the log; anything else another part of the bot stored stays out of view
SHOWN_DETAIL = frozenset(
    {
        "from",
        "to",
        "via",
        "operator",
        "role",
        "reason",
        "recipients",
        "scheduled",
        "new_relationship",
        "guide",
        "learner",
        "assessor_conflict",
        "changed",
        "audience",
        "count",
        "kind",
        "format",
    }
)


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str
    outcome: str
    detail: str


def audit_rows(uow: UnitOfWork, limit: int = 50) -> list[AuditRow]:
    """The newest ``limit`` audit events, with people named; only plain, known detail values shown."""
    names = {p.id: p.name for p in uow.activity.people()}
    rows: list[AuditRow] = []
    for event in uow.audit.events(limit=limit):
        actor = names.get(event.actor_id, f"#{event.actor_id}") if event.actor_id is not None else "mentorbot"
        rows.append(
            AuditRow(
                at=event.at,
                actor=actor,
                action=event.action,
                target=_target(event.target, names),
                outcome=event.outcome,
                detail=_detail(event.detail),
            )
        )
    return rows


def _target(target: str, names: dict[int, str]) -> str:
    kind, _, number = target.partition(":")
    if kind == "person" and number.isdecimal():
        return names.get(int(number), f"person #{number}")
    if number.isdecimal():
        return f"{kind} #{number}"
    return target


def _detail(detail: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in sorted(detail):
        value = detail[key]
        if key not in SHOWN_DETAIL:
            continue
        if isinstance(value, dict):
            value = "; ".join(
                f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in value.items()
            )
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        text = str(value)
        parts.append(f"{key}={text[:80]}")
    return " ".join(parts)
