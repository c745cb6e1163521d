"""Hypothesis strategies for hostile input: odd Unicode, JSON of every shape, and documents that start
as something a platform really sends and are then broken in a few places (a field deleted, a value of
the wrong type, an extra field)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from bot.workflows import build_router

# characters that have caused trouble elsewhere: direction overrides and isolates, zero-width joiners and
# spaces, a byte-order mark, NUL and other controls, lone surrogates (JSON can escape them: "\ud800"),
# combining marks, non-characters, digits that are not ASCII (int() reads some, isdigit() accepts more),
# and the platforms' own markup
ODD_CHARACTERS = (
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200d",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x1b",
    "\x7f",
    "\ud800",
    "\udfff",
    "\u0301",
    "\uffff",
    "\U0010ffff",
    "\U0001f469\u200d\U0001f4bb",
    "\u00b2",
    "\u0663",
    "\uff11",
    "\u2167",
    "\n",
    "\r\n",
    "\t",
    "#",
    "<!channel>",
    "<@U0MENTOR>",
    "<at>Maria</at>",
    "&lt;",
    "*",
    "`",
    "{",
    '"',
)


def _text_of(pieces: tuple[str, ...], codec: str | None = None) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.characters(codec=codec), st.sampled_from(pieces)), max_size=30).map("".join)


odd_text = _text_of(ODD_CHARACTERS)
# text that survives UTF-8 (what a form post or a header can carry): no lone surrogates
ENCODABLE = tuple(c for c in ODD_CHARACTERS if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in c))
encodable_text = _text_of(ENCODABLE, "utf-8")

# numbers where ids are expected: ordinary, zero and negative, beyond any database integer, and digits
# that only look like numbers
id_like = st.one_of(
    st.integers(min_value=-3, max_value=12).map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.integers(min_value=20, max_value=600).map(lambda n: "9" * n),
    st.sampled_from(
        ["", " 1", "#1", "1.0", "1e3", "0x1", "\u00b2", "\u0663", "\uff11", "\u2167", "-0", "NaN", "1\x00"]
    ),
)

# longer than any column that stores what people type (PostgreSQL enforces the widths; SQLite does not)
long_text = st.tuples(st.integers(min_value=150, max_value=1500), st.sampled_from("x é\u202e9")).map(
    lambda t: t[1] * t[0]
)

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
json_value = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(odd_text, children, max_size=4),
    max_leaves=12,
)

ROUTER = build_router()
COMMAND_WORDS = sorted({w for c in ROUTER.commands for w in (c.name, *c.aliases)})
ACTION_NAMES = sorted(ROUTER.actions)
VALUE_KEYS = (
    "r",
    "m",
    "a",
    "i",
    "g",
    "c",
    "v",
    "at",
    "text",
    "what",
    "owner",
    "owner_name",
    "due",
    "priority",
    "comment",
    "support",
    "challenge",
    "safety",
    "share",
    "minutes",
    "location",
    "reason",
    "prompt",
    "option1",
    "option2",
    "guide",
    "assesses",
    "override_reason",
    "title",
    "body",
    "send_at",
    "roles",
    "kind",
    "name",
    "gap",
    "whom",
    "ask",
    "frequency",
    "timezone",
)

# the words commands take after their name ("meetings accept 12 2", "met 4 yes 60", "agenda carry all")
ARGUMENT_WORDS = (
    "accept",
    "decline",
    "counter",
    "move",
    "cancel",
    "invite",
    "yes",
    "no",
    "moved",
    "propose",
    "confirm",
    "withdraw",
    "history",
    "all",
    "until",
    "off",
    "default",
    "share",
    "mentor",
    "coach",
    "sponsor",
    "initiation",
    "cultivation",
    "2026-03-09",
    "2026-03-09 10:00",
    "20:00-08:00",
    "Europe/London",
    "mentee@example.org",
)
argument = st.one_of(
    id_like,
    id_like.map(lambda n: "#" + n),
    st.sampled_from(ARGUMENT_WORDS),
    odd_text,
    long_text,
)
typed_text = st.one_of(
    odd_text,
    st.tuples(st.sampled_from(COMMAND_WORDS), st.lists(argument, max_size=4)).map(
        lambda t: " ".join([t[0], *t[1]])
    ),
)
form_values = st.dictionaries(
    st.one_of(st.sampled_from(VALUE_KEYS), odd_text),
    st.one_of(id_like, odd_text, long_text),
    max_size=8,
)
action_name = st.one_of(st.sampled_from(ACTION_NAMES), odd_text)


# -- documents broken in a few places -----------------------------------------------------------------------


def paths(doc: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document (the root is ``()``)."""
    yield here
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from paths(value, (*here, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from paths(value, (*here, index))


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return doc


@st.composite
def broken(
    draw: st.DrawFn,
    template: Any,
    values: st.SearchStrategy[Any] = json_value,
    keys: st.SearchStrategy[str] = odd_text,
) -> Any:
    """``template`` with one to three of its places deleted, replaced by ``values``, or given an extra
    field; sometimes left whole (a valid document must keep working too)."""
    doc = copy.deepcopy(template)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        places = list(paths(doc))
        path = draw(st.sampled_from(places))
        how = draw(st.sampled_from(("replace", "replace", "delete", "add")))
        if how == "replace":
            doc = _replace(doc, path, draw(values))
        elif how == "delete":
            doc = _delete(doc, path)
        else:
            target = doc
            for step in path:
                target = target[step]
            if isinstance(target, dict):
                target[draw(keys)] = draw(values)
            elif isinstance(target, list):
                target.append(draw(values))
    return doc
