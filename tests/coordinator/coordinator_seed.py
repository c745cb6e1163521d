"""Seeding for the coordinator tests: a small programme with activity, content full of secrets, people.

Built directly with the domain objects through the unit of work (membership-checked content access for
what members write), on SQLite and PostgreSQL. ``SECRETS`` are distinctive strings planted in every
kind of content a member can write; no coordinator view may ever show one of them.

Layout (the clock stands at Monday 2026-03-02 09:00 UTC; the programme is the default, in UTC):

* r1  mentoring, one-to-one, cultivation: Maria Mentor -> Eli Mentee (cohort 2026). Met in Dec, Jan, Feb;
      ground rules agreed; 2 open actions (1 overdue) and 1 done; agenda, notes, check-ins.
* r2  coaching, one-to-one, initiation, cadence 14: Maria Mentor -> Bo Learner (2026). Started
      2025-12-01, never met: stalled.
* r3  mentoring, one-to-one, separation: Gus Guide -> Cy Student (2026). Met on 1 March for 90 minutes;
      ground rules only proposed; 1 open overdue action.
* r4  mentoring, group, cultivation: Gus Guide -> Di, Ed, Fay (2026). Met 20 Feb and this morning.
* r5  mentoring, one-to-one, initiation, paused: Hana Helper (capacity 1) -> Gil Late (cohort 2025).
* Ida Alone (2025, preclinical) is in no relationship; Cora Coordinator coordinates.

Check-ins in the last 8 weeks: the six 2026 learners and Gil (2025): 7 people, so the programme-wide
distribution shows, but neither cohort does (2025 has 1; showing 2026 would reveal Gil's by subtraction).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import AgendaItem
from bot.model import AgreementStatus
from bot.model import AuditEvent
from bot.model import ChatIdentity
from bot.model import CheckIn
from bot.model import Conversation
from bot.model import Delivery
from bot.model import DeliveryStatus
from bot.model import Format
from bot.model import GroundRuleConfirmation
from bot.model import GroundRules
from bot.model import Kind
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Membership
from bot.model import NetworkAsk
from bot.model import NetworkEntry
from bot.model import Note
from bot.model import Person
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from storage.uow import SqlUnitOfWorkFactory

SECRETS = {
    "agenda": "SECRET-AGENDA-hippo-47",
    "action": "SECRET-ACTION-walrus-18",
    "comment": "SECRET-COMMENT-otter-33",
    "note": "SECRET-NOTE-heron-29",
    "rules": "SECRET-RULES-lynx-61",
    "location": "SECRET-LOCATION-yak-90",
    "cancel": "SECRET-CANCEL-ibis-12",
    "network": "SECRET-NETWORK-mole-55",
    "ask": "SECRET-ASK-newt-71",
    "checkin_message": "SECRET-CHECKIN-wren-84",
    "draft": "SECRET-DRAFT-crane-26",
    "nudge": "SECRET-NUDGE-toad-39",
    "audit_detail": "SECRET-AUDIT-seal-50",
    "r3_agenda": "SECRET-R3-AGENDA-puma-77",
    "r3_note": "SECRET-R3-NOTE-kiwi-64",
}

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Seeded:
    ids: dict[str, int] = field(default_factory=dict)  # person key -> id
    rels: dict[str, int] = field(default_factory=dict)  # "r1".. -> id
    names: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


PEOPLE = [
    # key, email, name, roles, cohort, stage, capacity, has identity
    ("cora", "coordinator@example.org", "Cora Coordinator", [Role.COORDINATOR], "", "", None, True),
    ("maria", "mentor@example.org", "Maria Mentor", [Role.GUIDE], "", "faculty", None, True),
    ("gus", "gus@example.org", "Gus Guide", [Role.GUIDE], "", "faculty", None, False),
    ("hana", "hana@example.org", "Hana Helper", [Role.GUIDE], "", "faculty", 1, False),
    ("vera", "vera@example.org", "Vera Volunteer", [Role.GUIDE], "", "faculty", None, True),
    ("eli", "mentee@example.org", "Eli Mentee", [Role.MENTEE], "2026", "clinical", None, True),
    ("bo", "bo@example.org", "Bo Learner", [Role.MENTEE], "2026", "clinical", None, True),
    ("cy", "cy@example.org", "Cy Student", [Role.MENTEE], "2026", "clinical", None, False),
    ("di", "di@example.org", "Di Group", [Role.MENTEE], "2026", "preclinical", None, False),
    ("ed", "ed@example.org", "Ed Group", [Role.MENTEE], "2026", "preclinical", None, False),
    ("fay", "fay@example.org", "Fay Group", [Role.MENTEE], "2026", "preclinical", None, False),
    ("gil", "gil@example.org", "Gil Late", [Role.MENTEE], "2025", "clinical", None, False),
    ("ida", "ida@example.org", "Ida Alone", [Role.MENTEE], "2025", "preclinical", None, False),
]


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def seed_programme(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig) -> Seeded:
    s = Seeded()
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        people: dict[str, Person] = {}
        for key, email, name, roles, cohort, stage, capacity, linked in PEOPLE:
            p = Person(
                email=email,
                name=name,
                roles=[str(r) for r in roles],
                cohort=cohort,
                stage=stage,
                capacity=capacity,
                programme_id=prog.id,
                created_at=NOW - timedelta(days=200),
            )
            if linked:
                p.identities.append(ChatIdentity(platform="slack", external_id=f"U-{key}", workspace="T1"))
            uow.people.add(p)
            people[key] = p
        uow.flush()

        def rel(
            key: str,
            kind: str,
            fmt: str,
            phase: str,
            started: date,
            guides: list[str],
            learners: list[str],
            cadence: int = 28,
            status: str = RelationshipStatus.ACTIVE,
        ) -> Relationship:
            r = Relationship(
                kind=kind,
                format=fmt,
                phase=phase,
                started_on=started,
                cadence_days=cadence,
                status=status,
                programme_id=prog.id,
                members=[Membership(person=people[g], side=Side.GUIDE) for g in guides]
                + [Membership(person=people[m], side=Side.LEARNER) for m in learners],
            )
            uow.relationships.add(r)
            uow.flush()
            assert r.id is not None
            s.rels[key] = r.id
            return r

        r1 = rel(
            "r1", Kind.MENTORING, Format.ONE_TO_ONE, "cultivation", date(2025, 11, 3), ["maria"], ["eli"]
        )
        rel(
            "r2",
            Kind.COACHING,
            Format.ONE_TO_ONE,
            "initiation",
            date(2025, 12, 1),
            ["maria"],
            ["bo"],
            cadence=14,
        )
        r3 = rel("r3", Kind.MENTORING, Format.ONE_TO_ONE, "separation", date(2025, 6, 1), ["gus"], ["cy"])
        r4 = rel(
            "r4", Kind.MENTORING, Format.GROUP, "cultivation", date(2025, 10, 1), ["gus"], ["di", "ed", "fay"]
        )
        rel(
            "r5",
            Kind.MENTORING,
            Format.ONE_TO_ONE,
            "initiation",
            date(2026, 1, 5),
            ["hana"],
            ["gil"],
            status=RelationshipStatus.PAUSED,
        )
        ids = {k: p.id for k, p in people.items()}
        assert all(v is not None for v in ids.values())
        s.ids = {k: int(v) for k, v in ids.items() if v is not None}
        s.names = {k: p.name for k, p in people.items()}
        s.emails = {k: p.email for k, p in people.items()}
        i = s.ids

        # -- r1: content written by Eli (mentee) and Maria (guide) -----------------------------
        eli = uow.content(people["eli"])
        maria = uow.content(people["maria"])
        assert r1.id is not None and r3.id is not None and r4.id is not None
        for day in ("2025-12-05", "2026-01-05", "2026-02-04"):
            maria.add_meeting(
                Meeting(
                    relationship_id=r1.id,
                    status=MeetingStatus.HELD,
                    scheduled_by=i["eli"],
                    created_at=at(day) - timedelta(days=7),
                    starts_at=at(day),
                    duration_minutes=60,
                    held_minutes=60,
                )
            )
        eli.add_meeting(
            Meeting(
                relationship_id=r1.id,
                status=MeetingStatus.CONFIRMED,
                scheduled_by=i["eli"],
                created_at=NOW - timedelta(days=1),
                starts_at=at("2026-03-10"),
                location=SECRETS["location"],
            )
        )
        eli.add_meeting(
            Meeting(
                relationship_id=r1.id,
                status=MeetingStatus.CANCELLED,
                scheduled_by=i["eli"],
                created_at=NOW - timedelta(days=40),
                starts_at=at("2026-01-20"),
                cancel_reason=SECRETS["cancel"],
            )
        )
        rules = GroundRules(
            relationship_id=r1.id,
            version=1,
            items={"frequency": "monthly", "boundaries": SECRETS["rules"]},
            proposed_by=i["eli"],
            proposed_at=at("2025-11-10"),
            status=AgreementStatus.AGREED,
            agreed_at=at("2025-11-12"),
            confirmations=[
                GroundRuleConfirmation(person_id=i["eli"], at=at("2025-11-10")),
                GroundRuleConfirmation(person_id=i["maria"], at=at("2025-11-12")),
            ],
        )
        eli.add_ground_rules(rules)
        eli.add_agenda_item(
            AgendaItem(
                relationship_id=r1.id, author_id=i["eli"], text=SECRETS["agenda"], position=1, created_at=NOW
            )
        )
        eli.add_action(
            ActionItem(
                relationship_id=r1.id,
                text=SECRETS["action"],
                created_by=i["eli"],
                created_at=at("2026-02-04"),
                owner_id=i["eli"],
                due_on=date(2026, 2, 20),
                guide_comment=SECRETS["comment"],
            )
        )
        eli.add_action(
            ActionItem(
                relationship_id=r1.id,
                text="Shadow a night shift",
                created_by=i["eli"],
                created_at=at("2026-02-04"),
                owner_id=i["eli"],
                due_on=date(2026, 3, 20),
            )
        )
        eli.add_action(
            ActionItem(
                relationship_id=r1.id,
                text="Read the handbook",
                created_by=i["eli"],
                created_at=at("2026-01-05"),
                owner_id=i["eli"],
                due_on=date(2026, 1, 30),
                status=ActionStatus.DONE,
                closed_at=at("2026-01-29"),
            )
        )
        maria.add_note(
            Note(relationship_id=r1.id, author_id=i["maria"], text=SECRETS["note"], created_at=NOW)
        )
        eli.add_checkin(
            CheckIn(r1.id, i["eli"], support=1, challenge=1, safety=2, quadrant="stasis", at=at("2025-12-06"))
        )
        eli.add_network_entry(
            NetworkEntry(
                person_id=i["eli"], kind=Kind.SPONSORSHIP, guide_name=SECRETS["network"], created_at=NOW
            )
        )
        eli.add_network_ask(
            NetworkAsk(person_id=i["eli"], gap_kind=Kind.COACHING, ask=SECRETS["ask"], created_at=NOW)
        )

        # -- r3 and r4: meetings, proposed rules, an overdue action, content of others ------------------
        cy = uow.content(people["cy"])
        cy.add_meeting(
            Meeting(
                relationship_id=r3.id,
                status=MeetingStatus.HELD,
                scheduled_by=i["cy"],
                created_at=at("2026-02-20"),
                starts_at=at("2026-03-01", 14),
                duration_minutes=60,
                held_minutes=90,
            )
        )
        cy.add_ground_rules(
            GroundRules(
                relationship_id=r3.id,
                version=1,
                items={"frequency": "every 4 weeks"},
                proposed_by=i["cy"],
                proposed_at=at("2025-06-03"),
            )
        )
        cy.add_action(
            ActionItem(
                relationship_id=r3.id,
                text="Draft the CV",
                created_by=i["cy"],
                created_at=at("2026-02-01"),
                owner_id=i["cy"],
                due_on=date(2026, 2, 27),
            )
        )
        cy.add_agenda_item(
            AgendaItem(
                relationship_id=r3.id,
                author_id=i["cy"],
                text=SECRETS["r3_agenda"],
                position=1,
                created_at=NOW,
            )
        )
        uow.content(people["gus"]).add_note(
            Note(relationship_id=r3.id, author_id=i["gus"], text=SECRETS["r3_note"], created_at=NOW)
        )
        gus = uow.content(people["gus"])
        for start in (at("2026-02-20"), at("2026-03-02", 8)):
            gus.add_meeting(
                Meeting(
                    relationship_id=r4.id,
                    status=MeetingStatus.HELD,
                    scheduled_by=i["di"],
                    created_at=start - timedelta(days=5),
                    starts_at=start,
                    duration_minutes=60,
                )
            )

        # -- check-ins: the latest of seven people in the last eight weeks ------------------------------
        quadrants = {
            "eli": "growth",
            "bo": "retreat",
            "cy": "growth",
            "di": "confirmation",
            "ed": "growth",
            "fay": "stasis",
            "gil": "confirmation",
        }
        rel_of = {"eli": r1.id, "bo": s.rels["r2"], "cy": r3.id, "di": r4.id, "ed": r4.id, "fay": r4.id}
        rel_of["gil"] = s.rels["r5"]
        for key, quadrant in quadrants.items():
            uow.content(people[key]).add_checkin(
                CheckIn(
                    rel_of[key],
                    i[key],
                    support=4,
                    challenge=3,
                    safety=5,
                    quadrant=quadrant,
                    at=at("2026-02-16"),
                )
            )

        # -- outbox: a dead letter with content in its payload, an unreachable one -------------------
        uow.deliveries.enqueue(
            Delivery(
                person_id=i["eli"],
                kind="agenda_reminder",
                dedupe_key="agenda_reminder:eli:1",
                payload={
                    "message": {
                        "summary": SECRETS["nudge"],
                        "blocks": [{"type": "text", "text": SECRETS["nudge"]}],
                    }
                },
                due_at=at("2026-02-27"),
                status=DeliveryStatus.DEAD,
                attempts=5,
                last_error="channel_not_found",
                relationship_id=r1.id,
                created_at=at("2026-02-27"),
            )
        )
        uow.deliveries.enqueue(
            Delivery(
                person_id=i["eli"],
                kind="checkin_result",
                dedupe_key="checkin_result:eli:1",
                payload={"message": {"summary": SECRETS["checkin_message"], "blocks": []}},
                due_at=at("2026-02-16"),
                status=DeliveryStatus.SENT,
                sent_at=at("2026-02-16"),
                created_at=at("2026-02-16"),
            )
        )
        uow.deliveries.enqueue(
            Delivery(
                person_id=i["bo"],
                kind="schedule",
                dedupe_key="schedule:bo:1",
                payload={"message": {"summary": "time to book", "blocks": []}},
                due_at=at("2026-02-25"),
                status=DeliveryStatus.UNREACHABLE,
                last_error="no conversation reference",
                created_at=at("2026-02-25"),
            )
        )
        uow.conversations.save(
            Conversation(
                person_id=i["eli"],
                flow="agenda",
                step="edit",
                data={"draft": SECRETS["draft"]},
                updated_at=NOW,
            )
        )
        # a careless module putting content into an audit detail: the audit views must not show it
        uow.audit.record(
            AuditEvent(
                at=at("2026-02-28"),
                action="agenda.add",
                actor_id=i["eli"],
                detail={"text": SECRETS["audit_detail"]},
            )
        )
        uow.commit()
    return s


def all_database_text(uow_factory: SqlUnitOfWorkFactory) -> str:
    """Every value in every table, as one string (for "is it anywhere?" checks)."""
    from sqlalchemy import select

    from storage.tables import metadata

    chunks: list[str] = []
    with uow_factory.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                chunks.append(repr(tuple(row)))
    return "\n".join(chunks)
