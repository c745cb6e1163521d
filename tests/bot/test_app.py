"""The bot's single entry point: who is talking, where the message goes, and what an error looks like."""

from __future__ import annotations

import pytest

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.context import Context
from bot.messages import Inbound
from bot.messages import Reply
from bot.messages import Sender
from bot.messages import Text
from bot.model import Person
from bot.model import Role
from bot.programme import ProgrammeConfig
from bot.routing import Router
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory


def _add_person(uow_factory: SqlUnitOfWorkFactory, email: str, roles: list[str]) -> int:
    with uow_factory() as uow:
        person = Person(email=email, name=email.split("@")[0].title(), roles=roles, timezone="Europe/London")
        uow.people.add(person)
        uow.commit()
        assert person.id is not None
        return person.id


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


def test_a_stranger_gets_a_polite_explanation_and_nothing_is_stored(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    bot = MentorBot(uow_factory, programme, clock)
    handled = bot.handle(Inbound(Sender("slack", "U999", email="stranger@example.com"), text="help"))
    text = " ".join(b.text for m in handled.messages for b in m.blocks if isinstance(b, Text))
    assert text == programme.text("error.not_in_programme")
    with uow_factory() as uow:
        assert uow.people.all(include_inactive=True) == []


def test_a_stranger_is_pointed_at_a_real_coordinator_of_the_roster(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    """The configured contact names nobody in the roster: the roster's coordinator is named instead."""
    _add_person(uow_factory, "mentee@example.org", [Role.MENTEE])
    _add_person(uow_factory, "cora@example.org", [Role.COORDINATOR])
    bot = MentorBot(uow_factory, programme, clock)
    handled = bot.handle(Inbound(Sender("slack", "U999", email="stranger@example.com"), text="help"))
    text = " ".join(b.text for m in handled.messages for b in m.blocks if isinstance(b, Text))
    assert "not part of a mentoring programme" in text
    assert "Cora (cora@example.org)" in text
    assert programme.coordinator_contact not in text


def test_the_shipped_example_names_a_coordinator_of_its_own_roster() -> None:
    from bot.programme import load_programme
    from bot.roster import example_paths

    people, _ = example_paths()
    coordinators = [
        line.split(",")[0] for line in people.read_text("utf-8").splitlines()[1:] if "coordinator" in line
    ]
    assert any(email in load_programme().coordinator_contact for email in coordinators)


def test_first_contact_links_the_platform_identity_by_email(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    person_id = _add_person(uow_factory, "Mentee@Example.org", [Role.MENTEE])
    bot = MentorBot(uow_factory, programme, clock)
    sender = Sender("slack", "U123", email="mentee@example.org", workspace="T1", timezone="Asia/Tokyo")
    assert bot.handle(Inbound(sender, text="help")).person_id == person_id
    # later messages carry no email: the stored identity is enough
    again = bot.handle(Inbound(Sender("slack", "U123"), text="help"))
    assert again.person_id == person_id
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        identity = person.identity("slack")
        assert identity is not None and (identity.external_id, identity.workspace) == ("U123", "T1")
        # the platform's time zone is taken on first contact when none was set beyond the default
        assert person.timezone == "Europe/London"


def test_unknown_command_suggests_the_nearest(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    _add_person(uow_factory, "mentee@example.org", [Role.MENTEE])
    session = ConsoleSession(MentorBot(uow_factory, programme, clock), "mentee@example.org")
    session.send("hepl")
    assert "help" in session.text()
    assert "hepl" in session.text()


def test_a_bug_in_a_workflow_never_shows_a_traceback(
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _add_person(uow_factory, "mentee@example.org", [Role.MENTEE])
    router = Router()

    @router.command("explode", "help.help")
    def explode(ctx: Context, rest: str) -> Reply:
        raise RuntimeError("secret internals")

    session = ConsoleSession(MentorBot(uow_factory, programme, clock, router=router), "mentee@example.org")
    session.send("explode")
    assert session.text() == programme.text("error.internal")
    assert "Traceback" not in session.text() and "secret internals" not in session.text()
    assert "secret internals" in caplog.text  # ...but the operator can find it in the log


def test_role_restricted_commands_are_hidden_and_refused(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    _add_person(uow_factory, "mentee@example.org", [Role.MENTEE])
    _add_person(uow_factory, "coordinator@example.org", [Role.COORDINATOR])
    router = Router()

    @router.command("help", "help.help")
    def show(ctx: Context, rest: str) -> Reply:
        return Reply().say(Text(", ".join(c.name for c in router.visible_commands(ctx.roles))))

    @router.command("broadcast", "help.help", roles=[Role.COORDINATOR])
    def broadcast(ctx: Context, rest: str) -> Reply:
        return Reply().say(Text("sent"))

    bot = MentorBot(uow_factory, programme, clock, router=router)
    mentee, coordinator = (
        ConsoleSession(bot, "mentee@example.org"),
        ConsoleSession(bot, "coordinator@example.org"),
    )
    mentee.send("help")
    coordinator.send("help")
    assert "broadcast" not in mentee.text()
    assert "broadcast" in coordinator.text()
    mentee.send("broadcast now")
    assert mentee.text() != "sent" and "sent" not in mentee.text()
    coordinator.send("broadcast now")
    assert coordinator.text() == "sent"


def test_an_unreachable_database_gets_a_polite_try_again_shortly(
    programme: ProgrammeConfig, clock: FixedClock
) -> None:
    from storage.database import make_engine

    down = SqlUnitOfWorkFactory(
        make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    )
    handled = MentorBot(down, programme, clock).handle(
        Inbound(Sender("slack", "U1", email="mentee@example.org"), text="help")
    )
    text = " ".join(b.text for m in handled.messages for b in m.blocks if isinstance(b, Text))
    assert text == programme.text("error.unavailable")


def test_a_mentee_is_never_offered_a_coordinator_command_as_a_suggestion(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    _add_person(uow_factory, "mentee@example.org", [Role.MENTEE])
    _add_person(uow_factory, "coordinator@example.org", [Role.COORDINATOR])
    bot = MentorBot(uow_factory, programme, clock)
    mentee, coordinator = (
        ConsoleSession(bot, "mentee@example.org"),
        ConsoleSession(bot, "coordinator@example.org"),
    )
    mentee.send("anounce")
    coordinator.send("anounce")
    assert "*announce*" not in mentee.text()
    assert "*announce*" in coordinator.text()


def test_a_sender_with_garbled_ids_is_nobody_and_nothing_is_stored(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    person_id = _add_person(uow_factory, "mentee@example.org", [Role.MENTEE])
    bot = MentorBot(uow_factory, programme, clock)
    garbled = Sender(
        "teams", "aad-mentee", email="mentee@example.org", workspace="{'x': [" + "9" * 300 + "]}"
    )
    handled = bot.handle(Inbound(garbled, text="help"))
    text = " ".join(b.text for m in handled.messages for b in m.blocks if isinstance(b, Text))
    assert text == programme.text("error.not_in_programme")
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        assert person.identities == []
