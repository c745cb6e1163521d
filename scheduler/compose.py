"""The texts of nudges: neutral messages built from catalogue keys (``nudge.*`` and shared ones).

Builders here are pure: they take domain objects from the planner's snapshot and return a
:class:`~bot.messages.Message`.  Content (agenda and action items, ground rules) goes only into messages
for members of the same relationship; the stall alert for coordinators carries activity only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import goals as goal_rules
from bot.action_plan import is_overdue, owner_label
from bot.agenda import compiled_agenda, items_for, preparation_prompts
from bot.errors import NotFound, NotPermitted
from bot.messages import Block, Button, Buttons, ButtonStyle, Fields, Message, Section, Text, quote
from bot.model import ActionItem, AgendaItem, Goal, GroundRules, Meeting, Person, Relationship, Side
from bot.programme import ProgrammeConfig
from bot.readers import Reader, reader_of
from bot.relationship_view import join_names, kind_label, title
from bot.timefmt import show, show_date
from scheduler.localtime import zone_of
from scheduler.snapshot import RelationshipFacts

# ground-rule items answered with a side, and the words that name one
SIDE_ANSWERS = frozenset({"who_schedules", "who_sets_agenda"})
SIDE_WORDS = ("mentee", "learner", "guide", "mentor", "coach", "advisor", "sponsor")


def command_button(
    programme: ProgrammeConfig, label_key: str, command: str, *, primary: bool = False
) -> Button:
    """A button that runs a typed command (the generic ``command`` action of ``bot.workflows.help``)."""
    style = ButtonStyle.PRIMARY if primary else ButtonStyle.DEFAULT
    return Button(programme.text(label_key), "command", {"text": command}, style)


def _message(blocks: Sequence[Block], summary: str) -> Message:
    return Message(tuple(blocks), summary=summary[:150])


def rule_line(
    programme: ProgrammeConfig, rules: GroundRules | None, key: str, reader: Reader | None = None
) -> str:
    """A ground-rule item quoted in the pair's own words (or the programme's suggestion before they
    agreed any). Peers have no mentee and no guide, so a "who" answer naming a side reads as "any of
    you" to them."""
    label = programme.text(f"ground_rules.item.{key}.label")
    answer = rules.items.get(key, "") if rules is not None else ""
    peer = reader is not None and reader.side == Side.PEER
    if peer and key in SIDE_ANSWERS and answer.strip().lower() in ("", *SIDE_WORDS):
        return programme.text("nudge.rule.any_of_you", label=label)
    if answer:
        return programme.text("nudge.rule.agreed", label=label, answer=answer)
    suggested = programme.ground_rule_defaults.get(key, "")
    return programme.text("nudge.rule.suggested", label=label, answer=suggested)


# -- initiation -----------------------------------------------------------------------------------------


def first_meeting(
    programme: ProgrammeConfig, rel: Relationship, person: Person, rules: GroundRules | None, *, goals: bool
) -> Message:
    """``goals``: add the mentee's preparation (strengths, growth areas, goals) when the phase asks for it."""
    heading = programme.text("nudge.first_meeting.title", title=title(programme, rel, person.id))
    body = [
        programme.text("nudge.first_meeting.body"),
        rule_line(programme, rules, "who_schedules", reader_of(rel, person.id)),
    ]
    buttons = [command_button(programme, "nudge.button.schedule", "schedule", primary=True)]
    if goals:
        body.append(programme.text("nudge.first_meeting.goals"))
        buttons.append(Button(programme.text("goals.button.add"), "goals.open", {"r": str(rel.id)}))
    return _message([Section(heading, "\n\n".join(body)), Buttons(tuple(buttons))], heading)


def ground_rules_prompt(
    programme: ProgrammeConfig, rel: Relationship, person: Person, waiting: GroundRules | None
) -> Message:
    heading = programme.text("nudge.ground_rules.title", title=title(programme, rel, person.id))
    body = (
        programme.text("nudge.ground_rules.waiting", version=waiting.version)
        if waiting is not None
        else programme.text("nudge.ground_rules.body")
    )
    return _message(
        [
            Section(heading, body),
            Buttons((command_button(programme, "nudge.button.ground_rules", "ground rules", primary=True),)),
        ],
        heading,
    )


def ground_rules_review(
    programme: ProgrammeConfig, rel: Relationship, person: Person, rules: GroundRules
) -> Message:
    heading = programme.text("nudge.ground_rules_review.title", title=title(programme, rel, person.id))
    agreed_on = show_date(rules.agreed_at.astimezone(zone_of(person)).date()) if rules.agreed_at else ""
    pairs = tuple(
        (programme.text(f"ground_rules.item.{key}.label"), answer)
        for key, answer in rules.items.items()
        if answer and programme.catalogue.has(f"ground_rules.item.{key}.label")
    )
    blocks: list[Block] = [
        Section(
            heading,
            programme.text("nudge.ground_rules_review.body", date=agreed_on)
            + "\n\n"
            + rule_line(programme, rules, "review"),
        )
    ]
    if pairs:
        blocks.append(Fields(pairs))
    blocks.append(Buttons((command_button(programme, "nudge.button.ground_rules", "ground rules"),)))
    return _message(blocks, heading)


# -- rhythm -----------------------------------------------------------------------------------------------


def cadence(
    programme: ProgrammeConfig,
    rel: Relationship,
    person: Person,
    rules: GroundRules | None,
    last_met_on: date | None,
    today: date,
) -> Message:
    heading = programme.text("nudge.cadence.title", title=title(programme, rel, person.id))
    since = (
        programme.text("nudge.cadence.since", date=show_date(last_met_on), days=(today - last_met_on).days)
        if last_met_on is not None
        else programme.text("nudge.cadence.never")
    )
    body = [
        since,
        rule_line(programme, rules, "frequency"),
        rule_line(programme, rules, "who_schedules", reader_of(rel, person.id)),
        programme.text("nudge.cadence.ask"),
    ]
    return _message(
        [
            Section(heading, "\n\n".join(body)),
            Buttons((command_button(programme, "nudge.button.schedule", "schedule", primary=True),)),
        ],
        heading,
    )


# -- meetings ---------------------------------------------------------------------------------------------


def agenda_request(
    programme: ProgrammeConfig,
    rel: Relationship,
    person: Person,
    meeting: Meeting,
    deadline: datetime,
    items_so_far: int,
    *,
    first: bool = False,
) -> Message:
    """The mentee's reminder to prepare the agenda; before the pair's first meeting (``first``) the
    questions fit a first meeting (no "since we last met")."""
    assert meeting.starts_at is not None
    when = show(meeting.starts_at, person.timezone)
    heading = programme.text("nudge.agenda_request.title", title=title(programme, rel, person.id), when=when)
    lines = [programme.text("nudge.agenda_request.body", deadline=show(deadline, person.timezone))]
    if first:
        lines.insert(0, programme.text("nudge.agenda_request.first"))
    reader = reader_of(rel, person.id)
    lines += [
        f"• {programme.text_for(key, reader)}"
        for key in preparation_prompts(first=first)
        if programme.catalogue.has(key)
    ]
    if items_so_far:
        lines.append(programme.text("nudge.agenda_request.count", count=items_so_far))
    return _message(
        [
            Section(heading, "\n".join(lines)),
            Buttons((command_button(programme, "nudge.button.agenda", "agenda", primary=True),)),
        ],
        heading,
    )


class MemberContent:
    """One relationship's content from the snapshot, as one of its members may read it.

    It answers the handful of ``ContentAccess`` questions :func:`bot.agenda.compiled_agenda` asks, with
    the same membership check, so the agenda a guide receives is drawn exactly as the workflow draws it.
    """

    def __init__(self, facts: RelationshipFacts, viewer_id: int) -> None:
        if not facts.relationship.is_member(viewer_id):
            raise NotPermitted("error.not_member")
        self.facts = facts
        self.viewer_id = viewer_id

    def _check(self, relationship_id: int) -> None:
        if relationship_id != self.facts.id:
            raise NotPermitted("error.not_member")

    def relationship(self, relationship_id: int) -> Relationship:
        self._check(relationship_id)
        return self.facts.relationship

    def meetings(self, relationship_id: int) -> list[Meeting]:
        self._check(relationship_id)
        return list(self.facts.meetings)

    def meeting(self, meeting_id: int) -> Meeting:
        for m in self.facts.meetings:
            if m.id == meeting_id:
                return m
        raise NotFound("error.not_found")

    def agenda(self, relationship_id: int) -> list[AgendaItem]:
        self._check(relationship_id)
        return list(self.facts.agenda)

    def actions(self, relationship_id: int) -> list[ActionItem]:
        self._check(relationship_id)
        return list(self.facts.actions)

    def goals(self, relationship_id: int) -> list[Goal]:
        self._check(relationship_id)
        return list(self.facts.goals)


def agenda_compiled(
    programme: ProgrammeConfig, facts: RelationshipFacts, person: Person, meeting: Meeting, today: date
) -> Message:
    assert meeting.starts_at is not None and person.id is not None
    content = MemberContent(facts, person.id)
    blocks = compiled_agenda(content, facts.relationship, meeting, programme, today=today)
    blocks = [*blocks, Buttons((command_button(programme, "nudge.button.agenda", "agenda"),))]
    summary = programme.text("nudge.agenda_compiled.summary", when=show(meeting.starts_at, person.timezone))
    return _message(blocks, summary)


def agenda_count(facts: RelationshipFacts, meeting: Meeting) -> int:
    return len(items_for(meeting, facts.agenda, list(facts.meetings)))


# -- action plans -------------------------------------------------------------------------------------


def action_reminder(
    programme: ProgrammeConfig,
    rel: Relationship,
    person: Person,
    items: Sequence[ActionItem],
    *,
    overdue: bool,
) -> Message:
    which = "overdue" if overdue else "due"
    heading = programme.text(f"nudge.actions.{which}_title", title=title(programme, rel, person.id))
    lines = [programme.text(f"nudge.actions.{which}_body")]
    lines += [
        programme.text("nudge.actions.item", text=a.text, date=show_date(a.due_on))
        for a in items
        if a.due_on is not None
    ]
    return _message(
        [
            Section(heading, "\n".join(lines)),
            Buttons((command_button(programme, "nudge.button.actions", "actions", primary=True),)),
        ],
        heading,
    )


# -- growth -----------------------------------------------------------------------------------------------


def checkin(programme: ProgrammeConfig, rel: Relationship, person: Person) -> Message:
    heading = programme.text("nudge.checkin.title", title=title(programme, rel, person.id))
    return _message(
        [
            Section(heading, programme.text_for("nudge.checkin.body", reader_of(rel, person.id))),
            Buttons((command_button(programme, "nudge.button.checkin", "checkin", primary=True),)),
        ],
        heading,
    )


def phase_prompt(
    programme: ProgrammeConfig, rel: Relationship, person: Person, phase: str, reflections: Sequence[str]
) -> Message:
    heading = programme.text("nudge.phase.title", title=title(programme, rel, person.id), phase=phase)
    reader = reader_of(rel, person.id)
    parts = []
    if programme.catalogue.has(f"phase.{phase}.what_now"):
        parts.append(programme.text_for(f"phase.{phase}.what_now", reader))
    parts += [programme.text_for(f"nudge.phase.{r}", reader) for r in reflections]
    buttons = [command_button(programme, "nudge.button.whats_next", "whats next")]
    if "closing_reflection" in reflections:  # the closing reflection is written, not only talked about
        label, command = "closure.reflection.button_label", f"reflection #{rel.id}"
        buttons.insert(0, command_button(programme, label, command, primary=True))
    return _message([Section(heading, "\n\n".join(parts)), Buttons(tuple(buttons))], heading)


def network_tip(programme: ProgrammeConfig) -> Message:
    heading = programme.text("nudge.network.title")
    return _message(
        [
            Section(heading, programme.text("network.tip")),
            Buttons((command_button(programme, "nudge.button.network", "network", primary=True),)),
        ],
        heading,
    )


# -- the weekly digest for guides -----------------------------------------------------------------------


@dataclass(frozen=True)
class DigestMeeting:
    starts_at: datetime
    relationship: Relationship
    agenda_items: int


def weekly_digest(
    programme: ProgrammeConfig,
    guide: Person,
    meetings: Sequence[DigestMeeting],
    proposals: Sequence[Relationship],
    actions: Sequence[tuple[Relationship, ActionItem]],
    prompt: tuple[Relationship, str] | None,
    today: date,
    *,
    stale_goals: Sequence[tuple[Relationship, Goal]] = (),
    kinds: Sequence[str] = (),
) -> Message:
    """The guide's week: meetings coming, proposals waiting, the learners' open actions, goals nobody has
    moved for a while (each with one question fitted to its competence layer) and a reflective prompt.
    ``kinds``: the kinds of relationship the guide is in, so the closing reminder fits each (a sponsor is
    not told to write no references)."""
    heading = programme.text("nudge.digest.title")
    lines = []
    for m in meetings:
        agenda = (
            programme.text("nudge.digest.agenda_some", count=m.agenda_items)
            if m.agenda_items
            else programme.text("nudge.digest.agenda_none")
        )
        lines.append(
            programme.text(
                "nudge.digest.meeting_line",
                when=show(m.starts_at, guide.timezone),
                title=title(programme, m.relationship, guide.id),
                agenda=agenda,
            )
        )
    lines += [
        programme.text("nudge.digest.proposed_line", title=title(programme, r, guide.id)) for r in proposals
    ]
    blocks: list[Block] = [
        Section(heading, ""),
        Section(
            programme.text("nudge.digest.meetings"),
            "\n".join(lines) or programme.text("nudge.digest.no_meetings"),
        ),
    ]
    action_lines = []
    for rel, a in actions:
        owner = owner_label(a, rel) or join_names(rel.learners(), programme)
        line = programme.text("nudge.digest.action_line", text=a.text, owner=owner)
        if a.due_on is not None:
            line += " — " + programme.text("nudge.digest.action_due", date=show_date(a.due_on))
            if is_overdue(a, today):
                line += " " + programme.text("nudge.digest.overdue")
        action_lines.append(line)
    blocks.append(
        Section(
            programme.text("nudge.digest.actions"),
            "\n".join(action_lines) or programme.text("nudge.digest.no_actions"),
        )
    )
    if stale_goals:
        goal_lines = []
        for rel, g in stale_goals:
            member = rel.member(g.owner_id)
            goal_lines.append(
                programme.text(
                    "goals.digest_line",
                    name=member.person.name if member is not None else "—",
                    number=g.number,
                    text=quote(g.text),
                    prompt=programme.text(goal_rules.prompt_key(g)),
                )
            )
        weeks = goal_rules.STALE_AFTER.days // 7
        blocks.append(Section(programme.text("goals.digest_title", weeks=weeks), "\n".join(goal_lines)))
    if prompt is not None:
        rel, key = prompt
        blocks.append(
            Section(
                programme.text("nudge.digest.reflect", title=title(programme, rel, guide.id)),
                programme.text(key),
            )
        )
    reminders = dict.fromkeys(
        programme.text_for("nudge.digest.non_evaluative", Reader("guide", kind)) for kind in kinds
    ) or {programme.text("nudge.digest.non_evaluative"): None}
    blocks.append(Section(programme.text("nudge.digest.non_evaluative_title"), "\n\n".join(reminders)))
    blocks.append(
        Buttons(
            (
                command_button(programme, "nudge.button.meetings", "meetings"),
                command_button(programme, "nudge.button.agenda", "agenda"),
            )
        )
    )
    summary = programme.text("nudge.digest.summary", meetings=len(meetings), actions=len(actions))
    return _message(blocks, summary)


# -- coordinators: activity only ------------------------------------------------------------------------


@dataclass(frozen=True)
class StallLine:
    """What a coordinator may know about a stalled relationship: who, what kind, dates and counts."""

    relationship_id: int
    kind: str
    names: tuple[str, ...]
    last_met_on: date | None
    started_on: date
    meetings_held: int


def stall_alert(programme: ProgrammeConfig, lines: Sequence[StallLine], today: date) -> Message:
    heading = programme.text("nudge.stall.title")
    out = []
    for s in lines:
        if s.last_met_on is not None:
            last = programme.text(
                "nudge.stall.last_met", date=show_date(s.last_met_on), days=(today - s.last_met_on).days
            )
        else:
            last = programme.text(
                "nudge.stall.never_met", date=show_date(s.started_on), days=(today - s.started_on).days
            )
        out.append(
            programme.text(
                "nudge.stall.line",
                kind=kind_label(programme, s.kind),
                id=s.relationship_id,
                names=", ".join(s.names),
                last=last,
                held=s.meetings_held,
            )
        )
    return _message([Section(heading, programme.text("nudge.stall.intro")), Text("\n".join(out))], heading)


def rules_items(rules: GroundRules | None) -> Mapping[str, str]:
    return rules.items if rules is not None else {}
