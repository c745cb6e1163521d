"""Domain objects built straight from Core rows, for the scheduler's bulk reads.

The ORM's loading (identity map, per-row loader strategies, eager-load bookkeeping) costs about ten times
what it takes the database to produce the row: on a catch-up pass over 100,000 relationships it was most
of the time.  The scheduler only *reads* these objects (they are detached snapshots that are never added
to a session), so it can skip all that: one Core ``SELECT`` per kind of fact, and each row poured into a
fresh instance.

Even a detached instance of a mapped class pays the ORM on every attribute read (the instrumented
descriptor looks the value up through the instance state: a planning pass reads some 240 attributes per
relationship) and on its creation (the instance state).  So the instances are of a *detached twin* of the
mapped class (:func:`detached`): a plain subclass, unmapped, whose class shadows every mapped attribute
with a plain default, so reads and writes are ordinary attribute accesses.  It is still an instance of
the domain class (its methods, ``isinstance``, ``repr`` and ``dataclasses.replace`` work as before), and
the ORM refuses it (it is not mapped), so the planner cannot write through a session by accident.  Column
values are those the ORM would have loaded (same columns, same types); relationship attributes
(``Relationship.members``, ``Person.identities``...) are set by the caller; one left unset reads as the
ORM's default for a transient object (None, or a fresh empty list).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any
from typing import Generic
from typing import TypeVar

from sqlalchemy import Column
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm import class_mapper

T = TypeVar("T")


class _EmptyList:
    """A collection attribute nobody set: a fresh list per instance on first read (a non-data
    descriptor, so the instance's own value wins once there is one)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value: list[Any] = []
        obj.__dict__[self.name] = value
        return value


@functools.cache
def detached(cls: type[T]) -> type[T]:
    """The detached twin of the mapped class ``cls`` (see the module docstring)."""
    namespace: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
    for prop in class_mapper(cls).attrs:
        collection = isinstance(prop, RelationshipProperty) and prop.uselist
        namespace[prop.key] = _EmptyList() if collection else None
    return type(cls.__name__, (cls,), namespace)


class RowBuilder(Generic[T]):
    """Build detached instances of the mapped class ``cls`` from rows of :attr:`columns` (in that order)."""

    def __init__(self, cls: type[T]) -> None:
        mapper = class_mapper(cls)
        self._cls = detached(cls)
        attrs = list(mapper.column_attrs)
        self.keys: tuple[str, ...] = tuple(a.key for a in attrs)
        self.columns: tuple[Column[Any], ...] = tuple(a.columns[0] for a in attrs)  # type: ignore[misc]

    def select(self, *extra: Any) -> Select[Any]:
        """``SELECT`` of the mapped columns (then ``extra`` columns, for the caller)."""
        return select(*self.columns, *extra)

    def build(self, values: Iterable[Any]) -> T:
        obj: T = object.__new__(self._cls)
        obj.__dict__.update(zip(self.keys, values, strict=False))
        return obj

    def width(self) -> int:
        return len(self.keys)
