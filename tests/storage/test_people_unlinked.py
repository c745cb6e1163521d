"""Who the Slack directory lookup still has to find: active people with no identity on that platform."""

from __future__ import annotations

from bot.model import ChatIdentity
from bot.model import Person
from bot.model import Role
from storage.uow import SqlUnitOfWorkFactory


def test_only_active_people_not_yet_on_the_platform_are_listed(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.people.add(Person(email="zoe@example.org", name="Zoe", roles=[Role.MENTEE]))
        uow.people.add(Person(email="ann@example.org", name="Ann", roles=[Role.GUIDE]))
        on_slack = Person(email="sam@example.org", name="Sam", roles=[Role.MENTEE])
        on_slack.identities.append(ChatIdentity(platform="slack", external_id="U1", workspace="T1"))
        on_teams = Person(email="tea@example.org", name="Tea", roles=[Role.MENTEE])
        on_teams.identities.append(ChatIdentity(platform="teams", external_id="aad-1", workspace="t"))
        left = Person(email="old@example.org", name="Old", roles=[Role.MENTEE], active=False)
        for person in (on_slack, on_teams, left):
            uow.people.add(person)
        uow.commit()

    with uow_factory() as uow:
        assert uow.people.emails_without_identity("slack") == [
            "ann@example.org",
            "tea@example.org",
            "zoe@example.org",
        ]
        assert uow.people.emails_without_identity("teams") == [
            "ann@example.org",
            "sam@example.org",
            "zoe@example.org",
        ]


def test_a_first_contact_linked_twice_is_stored_once_and_the_second_says_so(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """Two processes handling the same new person's first messages: only the first call stores (on
    PostgreSQL the driver's row count for the upsert is -1 either way, so it cannot be trusted)."""
    with uow_factory() as uow:
        uow.people.add(Person(email="zoe@example.org", name="Zoe", roles=[Role.MENTEE]))
        uow.commit()
    results = []
    for _ in range(2):
        with uow_factory() as uow:
            zoe = uow.people.by_email("zoe@example.org")
            assert zoe is not None
            results.append(uow.people.add_identity(zoe, ChatIdentity(platform="slack", external_id="U9")))
            uow.commit()
    assert results == [True, False]
    with uow_factory() as uow:
        zoe = uow.people.by_email("zoe@example.org")
        assert zoe is not None and [i.external_id for i in zoe.identities] == ["U9"]
