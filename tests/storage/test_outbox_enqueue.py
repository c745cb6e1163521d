"""Many deliveries put in the outbox at once (an announcement's fan-out): each dedupe key only once."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.model import Delivery
from bot.model import Person
from bot.model import Role
from storage.outbox import insert_deliveries
from storage.uow import SqlUnitOfWorkFactory


def test_enqueue_many_adds_each_dedupe_key_once(uow_factory: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    with uow_factory() as uow:
        people = [Person(email=f"p{i}@example.org", name=f"P {i}", roles=[Role.MENTEE]) for i in range(3)]
        for person in people:
            uow.people.add(person)
        uow.commit()
        ids = [p.id for p in people if p.id is not None]

    def deliveries(keys: list[int]) -> list[Delivery]:
        return [
            Delivery(person_id=ids[k % 3], kind="announcement", dedupe_key=f"announcement:1:{k}",
                     payload={"message": {"k": k}}, due_at=clock.now(), created_at=clock.now())
            for k in keys
        ]  # fmt: skip

    with uow_factory() as uow:
        assert uow.deliveries.enqueue_many([]) == 0
        assert uow.deliveries.enqueue_many(deliveries([0, 1, 2, 2])) == 3  # a repeated key counts once
        uow.commit()
    with uow_factory() as uow:
        assert uow.deliveries.enqueue_many(deliveries([1, 2, 3, 4])) == 2  # planned before: not again
        assert uow.deliveries.enqueue(deliveries([4])[0]) is False
        assert uow.deliveries.enqueue(deliveries([5])[0]) is True
        uow.commit()
    with uow_factory() as uow:
        stored = sorted(d.dedupe_key for p in ids for d in uow.deliveries.for_person(p))
        assert stored == [f"announcement:1:{k}" for k in range(6)]


def test_a_queued_delivery_reads_back_as_it_was_queued(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    """Every column comes back as given (instants in UTC to the microsecond, whatever zone they were given
    in; text in any script; a nested payload), and the columns a row leaves out get their defaults."""
    with uow_factory() as uow:
        person = Person(email="p@example.org", name="P", roles=[Role.MENTEE])
        uow.people.add(person)
        uow.commit()
        assert person.id is not None
    tokyo = ZoneInfo("Asia/Tokyo")
    due = datetime(2026, 3, 6, 18, 30, 15, 123456, tzinfo=tokyo)
    payload = {"message": {"blocks": [{"text": 'Zoë — 会議 "quoted" \\ {a,b}', "n": [1, 2.5, None, True]}]}}
    queued = Delivery(
        person_id=person.id,
        kind="notice",
        dedupe_key="notice:1:ü",
        payload=payload,
        due_at=due,
        priority=7,
        expires_at=due + timedelta(days=1),
        created_at=clock.now(),
    )
    with uow_factory() as uow:
        assert uow.deliveries.enqueue(queued) is True
        uow.commit()
    with uow_factory() as uow:
        (stored,) = uow.deliveries.for_person(person.id)
        uow.session.expunge(stored)  # type: ignore[attr-defined]
    assert (stored.dedupe_key, stored.kind, stored.payload, stored.priority) == (
        "notice:1:ü",
        "notice",
        payload,
        7,
    )
    assert stored.due_at == due and stored.due_at.utcoffset() == timedelta(0)
    assert stored.expires_at == due + timedelta(days=1) and stored.created_at == clock.now()
    assert (stored.status, stored.channel, stored.attempts, stored.last_error) == ("pending", "", 0, "")
    assert stored.lease_until is None and stored.sent_at is None and stored.relationship_id is None
    with uow_factory() as uow:  # a row that leaves columns out: the table's defaults
        s = uow.session  # type: ignore[attr-defined]
        keys = insert_deliveries(s, [{"person_id": person.id, "kind": "notice", "dedupe_key": "short",
                                      "payload": {}, "due_at": due, "status": "pending"}])  # fmt: skip
        uow.commit()
    assert keys == {"short"}
    with uow_factory() as uow:
        short = next(d for d in uow.deliveries.for_person(person.id) if d.dedupe_key == "short")
        uow.session.expunge(short)  # type: ignore[attr-defined]
    assert (short.channel, short.priority, short.attempts, short.last_error) == ("", 50, 0, "")
