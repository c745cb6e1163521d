"""Row ids as the database can hold them.

Ids reach storage from what people type and from the values of buttons and forms, which anyone can
edit. Every ``id`` column is an ``Integer`` (32 bits on PostgreSQL; SQLite takes 64), and a number
outside that range makes the database raise instead of finding nothing. Lookups ask :func:`storable`
first, so such a number finds nothing, exactly like an id that was never used.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the largest value of an Integer column on every database we support


def storable(row_id: int) -> bool:
    """Whether ``row_id`` could be the id of a row (a positive 32-bit integer)."""
    return 0 < row_id <= MAX_ID
