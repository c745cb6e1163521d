"""Domain objects built straight from Core rows, for the scheduler's bulk reads.

The ORM's loading (identity map, per-row loader strategies, eager-load bookkeeping) costs about ten times
what it takes the database to produce the row: on a catch-up pass over 100,000 relationships it was most
of the time.  The scheduler only *reads* these objects (they are detached snapshots that are never added
to a session), so it can skip all that: one Core ``SELECT`` per kind of fact, and each row poured into a
fresh instance of the mapped class.

The instances come from the mapper's own ``ClassManager.new_instance`` (what the ORM itself uses: the
instance state exists, ``__init__`` is not run), so reading and setting attributes works as on any
transient object; the column values are those the ORM would have loaded (same columns, same types).
Relationship attributes (``Relationship.members``, ``Person.identities``...) are set by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Select, select
from sqlalchemy.orm import class_mapper

T = TypeVar("T")


class RowBuilder(Generic[T]):
    """Build instances of the mapped class ``cls`` from rows of :attr:`columns` (in that order)."""

    def __init__(self, cls: type[T]) -> None:
        mapper = class_mapper(cls)
        self._new = mapper.class_manager.new_instance
        attrs = list(mapper.column_attrs)
        self.keys: tuple[str, ...] = tuple(a.key for a in attrs)
        self.columns: tuple[Column[Any], ...] = tuple(a.columns[0] for a in attrs)  # type: ignore[misc]

    def select(self, *extra: Any) -> Select[Any]:
        """``SELECT`` of the mapped columns (then ``extra`` columns, for the caller)."""
        return select(*self.columns, *extra)

    def build(self, values: Iterable[Any]) -> T:
        obj: T = self._new()
        obj.__dict__.update(zip(self.keys, values, strict=False))
        return obj

    def width(self) -> int:
        return len(self.keys)
