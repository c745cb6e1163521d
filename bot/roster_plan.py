"""What an import would change: the parsed files checked against what is stored, as a plan.

:func:`make_plan` reads the stored people and relationships, reports every problem that needs them
(unknown emails, roles, people who left, guides beyond capacity, end dates before a stored start),
and works out what to create and what to change, without touching anything.  :meth:`Plan.apply`
then writes the plan through the unit of work.  Keeping the two apart is what makes a dry run exact:
it runs the same plan and skips ``apply``.

People are matched by email (case does not matter), matches by ``match_id``, which is kept in
``Relationship.external_ref``.  A blank optional cell leaves a stored value as it is and gives a new
person or match the programme's default, so that re-importing a file on another day (when "today"
has moved) or after people changed their own settings in the bot changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from bot.catalogue import TextLookup
from bot.errors import Problem
from bot.match_dates import start_instant
from bot.model import Membership
from bot.model import Person
from bot.model import PhaseChange
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Role
from bot.ports import UnitOfWork
from bot.programme import ProgrammeConfig
from bot.roster_csv import MatchesFile
from bot.roster_csv import MatchRow
from bot.roster_csv import PeopleFile
from bot.roster_csv import PersonRow

DEFAULT_CADENCE_DAYS = 28
MATCHED_REASON = "matched"


@dataclass
class PersonChange:
    where: str
    row: PersonRow
    existing: Person | None
    fields: dict[str, Any]
    """Attribute -> new value: every attribute for a new person, only the changed ones otherwise."""


@dataclass
class MatchChange:
    where: str
    row: MatchRow
    existing: Relationship | None
    fields: dict[str, Any]
    joins: list[tuple[str, str]] = field(default_factory=list)
    """(email, side) of people who join the match."""
    leaves: list[Membership] = field(default_factory=list)


@dataclass
class Plan:
    people: list[PersonChange] = field(default_factory=list)
    people_unchanged: int = 0
    matches: list[MatchChange] = field(default_factory=list)
    matches_unchanged: int = 0
    ended: list[tuple[str, MatchRow]] = field(default_factory=list)
    """Rows naming a match that has ended: left as they are (never revived by a re-import)."""
    problems: list[Problem] = field(default_factory=list)
    known: dict[str, Person] = field(default_factory=dict)
    """Stored people named anywhere in the files, by lower-case email."""

    def count(self, created: bool, changes: list[PersonChange] | list[MatchChange]) -> int:
        return sum(1 for c in changes if (c.existing is None) == created)

    def apply(self, uow: UnitOfWork, programme: ProgrammeConfig, now: datetime) -> None:
        """Write the plan. Call only on a plan without problems."""
        assert not self.problems, "a plan with problems must not be applied"
        programme_id = uow.programmes.get_or_create(programme.slug, programme.name).id
        people = dict(self.known)
        for change in self.people:
            if change.existing is None:
                person = Person(**change.fields, created_at=now, programme_id=programme_id)
                uow.people.add(person)
                people[person.email] = person
            else:
                for attribute, value in change.fields.items():
                    setattr(change.existing, attribute, value)
        zone = programme.zone
        for match in self.matches:
            relationship = match.existing
            if relationship is None:
                relationship = Relationship(**match.fields, created_at=now, programme_id=programme_id)
                # the first phase begins when the match does, not when the file was imported
                relationship.phase_history.append(
                    PhaseChange(
                        phase=relationship.phase,
                        at=start_instant(relationship.started_on, zone),
                        reason=MATCHED_REASON,
                    )
                )
                uow.relationships.add(relationship)
            else:
                old_start = start_instant(relationship.started_on, zone)
                for attribute, value in match.fields.items():
                    setattr(relationship, attribute, value)
                if "started_on" in match.fields and old_start > now:
                    _move_start(relationship, start_instant(relationship.started_on, zone), now)
            start = start_instant(relationship.started_on, zone)
            for membership in match.leaves:
                membership.left_at = now
            for email, side in match.joins:
                # someone in the match before it starts joins on the start; later, a late joiner, now
                relationship.members.append(
                    Membership(person=people[email], side=side, joined_at=max(now, start))
                )


def _move_start(relationship: Relationship, start: datetime, now: datetime) -> None:
    """A match that has not started yet moved its start: its first phase and its members follow."""
    for membership in relationship.current_members():
        membership.joined_at = max(now, start)
    history = relationship.phase_history
    if len(history) == 1 and history[0].reason == MATCHED_REASON and history[0].by_person_id is None:
        history[0].at = start


def make_plan(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    today: date,
    people: PeopleFile | None,
    matches: MatchesFile | None,
    say: TextLookup,
) -> Plan:
    """Check the parsed files against the stored state and work out the changes. Writes nothing."""
    emails = set(people.listed) if people else set()
    if matches:
        emails |= {m.email for m in matches.mentions}
    plan = Plan(known={e.lower(): p for e, p in uow.people.by_emails(emails).items()})
    if people:
        _plan_people(plan, people, programme, say)
    if matches:
        _plan_matches(plan, uow, programme, today, people, matches, say)
    return plan


# -- people ------------------------------------------------------------------------------------------


def _plan_people(plan: Plan, people: PeopleFile, programme: ProgrammeConfig, say: TextLookup) -> None:
    for row in people.rows:
        where = f"{people.name}:{row.line}"
        existing = plan.known.get(row.email)
        if existing is None:
            fields: dict[str, Any] = {
                "email": row.email,
                "name": row.name,
                "roles": list(row.roles),
                "cohort": row.cohort or "",
                "stage": row.stage or "",
                "timezone": row.timezone or programme.timezone,
                "capacity": row.capacity,
            }
            plan.people.append(PersonChange(where, row, None, fields))
            continue
        if existing.erased_at is not None:
            plan.problems.append(Problem(where, say("roster.people.erased", email=row.email)))
            continue
        wanted: dict[str, Any] = {"name": row.name}
        if set(existing.roles) != set(row.roles):
            wanted["roles"] = list(row.roles)
        optional = {
            "cohort": row.cohort,
            "stage": row.stage,
            "timezone": row.timezone,
            "capacity": row.capacity,
        }
        wanted |= {k: v for k, v in optional.items() if v is not None}
        if not existing.active:
            wanted["active"] = True
        changed = {k: v for k, v in wanted.items() if k == "roles" or getattr(existing, k) != v}
        if changed:
            plan.people.append(PersonChange(where, row, existing, changed))
        else:
            plan.people_unchanged += 1


# -- matches -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Who:
    """A person as the import sees them: from the people file when listed there, else as stored."""

    roles: frozenset[str] | None  # None: listed in the people file on a row that has problems
    active: bool
    capacity: int | None


def _who(email: str, plan: Plan, people: PeopleFile | None, rows: dict[str, PersonRow]) -> _Who | None:
    stored = plan.known.get(email)
    if people is not None and email in people.listed:
        row = rows.get(email)
        if row is None:
            return _Who(None, True, None)
        capacity = row.capacity if row.capacity is not None else (stored.capacity if stored else None)
        return _Who(frozenset(row.roles), True, capacity)
    if stored is None:
        return None
    return _Who(frozenset(stored.roles), stored.in_programme, stored.capacity)


def _plan_matches(
    plan: Plan,
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    today: date,
    people: PeopleFile | None,
    matches: MatchesFile,
    say: TextLookup,
) -> None:
    rows = {r.email: r for r in people.rows} if people else {}
    who = {m.email: _who(m.email, plan, people, rows) for m in matches.mentions}
    _check_members(plan, matches, people, who, say)

    stored = uow.relationships.all(include_ended=True)
    by_ref = {r.external_ref: r for r in stored if r.external_ref}
    live_rows: list[MatchRow] = []
    first_phase = programme.phases[0].name
    for row in matches.rows:
        where = f"{matches.name}:{row.line}"
        existing = by_ref.get(row.match_id)
        if existing is not None and existing.status == RelationshipStatus.ENDED:
            plan.ended.append((where, row))
            plan.matches_unchanged += 1
            continue
        live_rows.append(row)
        start = row.start or (existing.started_on if existing else today)
        end = row.end if row.end is not None else (existing.planned_end if existing else None)
        if end is not None and end <= start:
            plan.problems.append(
                Problem(
                    where,
                    say("roster.matches.end_not_after_start", end=end.isoformat(), start=start.isoformat()),
                )
            )
            continue
        if existing is not None and existing.started_on <= today < start:
            # re-importing never restarts a running relationship
            plan.problems.append(
                Problem(
                    where,
                    say(
                        "roster.matches.start_after_running",
                        start=start.isoformat(),
                        started=existing.started_on.isoformat(),
                    ),
                )
            )
            continue
        if existing is None:
            fields: dict[str, Any] = {
                "kind": row.kind,
                "format": row.format,
                "phase": first_phase,
                "started_on": start,
                "planned_end": end,
                "cadence_days": row.cadence_days
                or programme.cadence_days.get(row.kind, DEFAULT_CADENCE_DAYS),
                "status": RelationshipStatus.ACTIVE.value,
                "assessor_conflict": row.assessor_conflict,
                "override_reason": row.override_reason,
                "external_ref": row.match_id,
            }
            plan.matches.append(MatchChange(where, row, None, fields, joins=row.members()))
            continue
        change = _diff_match(where, row, existing, start, end)
        if change.fields or change.joins or change.leaves:
            plan.matches.append(change)
        else:
            plan.matches_unchanged += 1
    replaced = {row.match_id for row in live_rows}
    current = [r for r in stored if r.status != RelationshipStatus.ENDED and r.external_ref not in replaced]
    _check_capacity(plan, programme, matches.name, live_rows, current, who, say)


def _diff_match(
    where: str, row: MatchRow, existing: Relationship, start: date, end: date | None
) -> MatchChange:
    wanted: dict[str, Any] = {
        "kind": row.kind,
        "format": row.format,
        "started_on": start,
        "planned_end": end,
        "assessor_conflict": row.assessor_conflict,
        "override_reason": row.override_reason,
    }
    if row.cadence_days is not None:
        wanted["cadence_days"] = row.cadence_days
    fields = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
    current = {(m.person.email.lower(), m.side): m for m in existing.current_members()}
    members = row.members()
    joins = [pair for pair in members if pair not in current]
    leaves = [m for pair, m in current.items() if pair not in set(members)]
    return MatchChange(where, row, existing, fields, joins, leaves)


def _check_members(
    plan: Plan, matches: MatchesFile, people: PeopleFile | None, who: dict[str, _Who | None], say: TextLookup
) -> None:
    for mention in matches.mentions:
        where = f"{matches.name}:{mention.line}"
        person = who[mention.email]
        values = {"email": mention.email, "column": mention.column}
        if person is None:
            if people is not None:
                plan.problems.append(
                    Problem(where, say("roster.matches.unknown_email", people_file=people.name, **values))
                )
            else:
                plan.problems.append(Problem(where, say("roster.matches.unknown_email_db", **values)))
        elif not person.active:
            plan.problems.append(Problem(where, say("roster.matches.inactive", **values)))
        elif person.roles is None:
            continue  # the people file reports what is wrong with their row
        elif mention.column == "guides" and Role.GUIDE not in person.roles:
            plan.problems.append(Problem(where, say("roster.matches.not_a_guide", **values)))
        elif mention.column != "guides" and Role.MENTEE not in person.roles:
            plan.problems.append(Problem(where, say("roster.matches.not_a_mentee", **values)))


def _check_capacity(
    plan: Plan,
    programme: ProgrammeConfig,
    file_name: str,
    rows: list[MatchRow],
    current: list[Relationship],
    who: dict[str, _Who | None],
    say: TextLookup,
) -> None:
    """No guide may end up with more learners than their capacity, counting the learners they keep
    in stored relationships that the file does not mention plus every learner the file gives them.
    The problem is reported once per guide, on the line where the limit is passed."""
    existing: dict[str, int] = defaultdict(int)
    for relationship in current:
        learners = len(relationship.learners())
        for stored in relationship.guides():
            existing[stored.email.lower()] += learners
    incoming: dict[str, int] = defaultdict(int)
    passed_on: dict[str, int] = {}
    for row in rows:
        for guide in row.guides:
            person = who.get(guide)
            limit = _limit(person, programme)
            incoming[guide] += len(row.learners)
            if existing[guide] + incoming[guide] > limit and guide not in passed_on:
                passed_on[guide] = row.line
    for guide, line in passed_on.items():
        plan.problems.append(
            Problem(
                f"{file_name}:{line}",
                say(
                    "roster.matches.over_capacity",
                    email=guide,
                    count=existing[guide] + incoming[guide],
                    limit=_limit(who.get(guide), programme),
                    existing=existing[guide],
                    incoming=incoming[guide],
                ),
            )
        )


def _limit(person: _Who | None, programme: ProgrammeConfig) -> int:
    if person is not None and person.capacity is not None:
        return person.capacity
    return programme.max_learners_per_guide
