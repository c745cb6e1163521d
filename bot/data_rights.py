"""A person's data rights: a copy of everything stored about them, and erasure.

Both are audited, and both refuse an unknown e-mail address with a specific message
(``coordinator.data.unknown_email``) before touching anything. What erasure removes and what it keeps
(anonymous counts for programme reports) is described in ``storage.personal_data``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import ground_rules
from bot.coordinator import audit
from bot.errors import NotFound
from bot.model import Person
from bot.ports import UnitOfWork
from bot.programme import ProgrammeConfig


def find_person(uow: UnitOfWork, email: str) -> Person:
    person = uow.people.by_email(email) if email.strip() else None
    if person is None or person.id is None:
        raise NotFound("coordinator.data.unknown_email", email=email.strip()[:320])
    return person


def export_person(
    uow: UnitOfWork, email: str, now: datetime, actor: Person | None = None, **who: Any
) -> dict[str, Any]:
    """Everything stored about the person with ``email``, as JSON-ready values. The caller commits."""
    person = find_person(uow, email)
    assert person.id is not None
    data = uow.personal_data.export(person.id)
    audit(uow, actor, "person.export", f"person:{person.id}", now, **who)
    return {"exported_at": now.isoformat(), "person_id": person.id, **data}


def forget_person(
    uow: UnitOfWork,
    email: str,
    now: datetime,
    actor: Person | None = None,
    *,
    programme: ProgrammeConfig | None = None,
    **who: Any,
) -> dict[str, int]:
    """Erase the person's personal data and content, keeping anonymous counts. The caller commits.

    Everything they wrote is erased wherever it was copied (notices to the other members, pending or
    sent, included). With ``programme``, its suggested ground-rule answers are known not to be the
    person's own words, so other people's copies of them stay. Returns how many rows of each kind were
    changed or removed.
    """
    person = find_person(uow, email)
    assert person.id is not None
    person_id = person.id
    suggested = ground_rules.default_items(programme).values() if programme is not None else ()
    counts = uow.personal_data.erase(person_id, now, not_personal=tuple(suggested))
    audit(uow, actor, "person.forget", f"person:{person_id}", now, changed=sum(counts.values()), **who)
    return counts
