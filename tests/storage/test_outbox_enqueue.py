"""Many deliveries put in the outbox at once (an announcement's fan-out): each dedupe key only once."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.model import Delivery
from bot.model import Person
from bot.model import Role
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
