"""The content catalogue: every text the bot sends, kept in one place and looked up by key.

Default texts live in ``bot/content/catalogue/*.yaml``.  Every ``.yaml`` file in that directory is
read, so a feature adds its texts by adding a file; nested mappings become dotted keys
(``onboarding: {welcome: ...}`` is ``onboarding.welcome``).  A key defined twice, in one file or in two,
is an error: two features must never silently fight over one text.

Texts use ``str.format`` placeholders with plain names only (``{name}``, ``{limit:d}``); attribute and
index access (``{person.email}``) is refused when a text is loaded, because programme files may
override texts and a template must not be able to reach into the objects it is given.  A value missing
at send time does not crash the reply: the placeholder stays visible and a warning is logged.

A text may have *reader variants* (``<key>@guide``, ``<key>@learner+assessor``...): the words for one kind
of reader, chosen by :meth:`Catalogue.text_for` (see :mod:`bot.readers`). A variant needs its base key
and fills no placeholder the base does not, so every caller can ask for any reader.

Keys whose texts come in several interchangeable variants (for example ``mentor_prompt.<kind>.<phase>``,
of which the weekly digest rotates through ``mentor_prompt.<kind>.<phase>.<variant>``) are listed with
:meth:`Catalogue.variants`.

This module also holds :func:`read_yaml`, the YAML reader shared with the programme configuration.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import string
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from os import PathLike
from pathlib import Path
from typing import Protocol

import yaml

from bot.errors import ConfigError
from bot.errors import Problem
from bot.readers import Reader
from bot.readers import qualifier_problem
from bot.readers import split_variant

log = logging.getLogger(__name__)


class TextLookup(Protocol):
    """Fills a catalogue text: ``ProgrammeConfig.text`` (the key, then the values to fill in).  The one
    type every renderer, report and importer takes for its texts."""

    def __call__(self, key: str, /, **values: object) -> str: ...


CATALOGUE_PACKAGE = "bot.content.catalogue"

_FORMATTER = string.Formatter()
# (literal text, placeholder name or None, format spec, conversion)
_Parsed = tuple[tuple[str, str | None, str, str | None], ...]


class UnknownMessageKeyError(KeyError):
    """A text was asked for that the catalogue does not have: a bug in the caller."""

    def __init__(self, key: str, suggestion: str | None = None) -> None:
        self.key = key
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"no catalogue text {key!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


class Catalogue:
    """An immutable set of message texts. Build the defaults with :func:`default_catalogue`."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        parsed: dict[str, _Parsed] = {}
        problems: list[Problem] = []
        for key, template in texts.items():
            try:
                parsed[key] = _parse_template(template)
            except ValueError as exc:
                problems.append(Problem(key, str(exc)))
        problems += _variant_problems(parsed)
        if problems:
            raise ConfigError(problems)
        self._texts = dict(texts)
        self._parsed = parsed
        # variants() scans every key; the texts never change, so each answer is kept (the planner asks
        # for the same few keys once per weekly digest: thousands of times in a fan-out)
        self._variants: dict[str, tuple[str, ...]] = {}

    # -- lookups -----------------------------------------------------------------------------------
    def text(self, key: str, /, **values: object) -> str:
        """The text for ``key`` with its placeholders filled from ``values``."""
        parsed = self._parsed.get(key)
        if parsed is None:
            close = difflib.get_close_matches(key, self._texts, n=1)
            raise UnknownMessageKeyError(key, close[0] if close else None)
        out: list[str] = []
        missing: list[str] = []
        for literal, name, spec, conversion in parsed:
            out.append(literal)
            if name is None:
                continue
            if name not in values:
                missing.append(name)
                out.append(_placeholder(name, spec, conversion))
                continue
            out.append(_fill(key, values[name], spec, conversion))
        if missing:
            log.warning("catalogue text %r sent without a value for %s", key, ", ".join(missing))
        return "".join(out)

    def resolve(self, key: str, reader: Reader) -> str:
        """The key of the text composed for ``reader``: its most specific variant, else ``key``."""
        for qualifier in reader.qualifiers():
            variant = f"{key}@{qualifier}"
            if variant in self._texts:
                return variant
        return key

    def text_for(self, key: str, reader: Reader, /, **values: object) -> str:
        """:meth:`text` of the variant of ``key`` written for ``reader``."""
        return self.text(self.resolve(key, reader), **values)

    def has(self, key: str) -> bool:
        return key in self._texts

    def __contains__(self, key: object) -> bool:
        return key in self._texts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalogue) and other._texts == self._texts

    def __len__(self) -> int:
        return len(self._texts)

    def keys(self, prefix: str = "") -> list[str]:
        """All keys, sorted; with ``prefix``, only those starting with it."""
        return sorted(k for k in self._texts if k.startswith(prefix))

    def variants(self, key: str) -> list[str]:
        """``key`` itself if it is a text, and every text nested below it (``key.<anything>``), sorted;
        reader variants (``@``) are not separate variants here."""
        found = self._variants.get(key)
        if found is None:
            nested = key + "."
            found = self._variants[key] = tuple(
                sorted(k for k in self._texts if (k == key or k.startswith(nested)) and "@" not in k)
            )
        return list(found)

    def template(self, key: str) -> str:
        """The raw text with its placeholders unfilled."""
        if key not in self._texts:
            raise UnknownMessageKeyError(key)
        return self._texts[key]

    def placeholders(self, key: str) -> set[str]:
        if key not in self._parsed:
            raise UnknownMessageKeyError(key)
        return {name for _, name, _, _ in self._parsed[key] if name is not None}

    def as_dict(self) -> dict[str, str]:
        return dict(self._texts)

    # -- overrides -----------------------------------------------------------------------------------
    def override_problems(
        self,
        overrides: Mapping[str, object],
        *,
        may_add: Callable[[str], bool] | None = None,
        always_available: Iterable[str] = (),
    ) -> list[tuple[str, str]]:
        """What is wrong with ``overrides``, as ``(key, reason)`` pairs; empty when all is well.

        An override must replace an existing text (unless ``may_add(key)`` allows a new one), be
        text, and use no placeholder that the default does not fill; ``always_available`` names
        placeholders that every caller supplies (e.g. the programme name).
        """
        extra = set(always_available)
        problems: list[tuple[str, str]] = []
        for key, value in overrides.items():
            is_new = key not in self._texts
            if is_new and not (may_add is not None and may_add(key)):
                close = difflib.get_close_matches(key, self._texts, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append((key, f"unknown message key{hint}"))
                continue
            if not isinstance(value, str):
                problems.append((key, f"expected text, got {describe(value)}"))
                continue
            try:
                parsed = _parse_template(value)
            except ValueError as exc:
                problems.append((key, str(exc)))
                continue
            if is_new:
                continue
            used = {name for _, name, _, _ in parsed if name is not None}
            unknown = sorted(used - self.placeholders(key) - extra)
            if unknown:
                allowed = sorted(self.placeholders(key) | extra)
                offer = ", ".join(f"{{{p}}}" for p in allowed) if allowed else "none"
                names = ", ".join(f"{{{p}}}" for p in unknown)
                problems.append((key, f"uses {names}, which this message does not fill (available: {offer})"))
        return problems

    def with_overrides(
        self,
        overrides: Mapping[str, object],
        *,
        may_add: Callable[[str], bool] | None = None,
        always_available: Iterable[str] = (),
    ) -> Catalogue:
        """A new catalogue with some texts replaced. Raises ``ConfigError`` listing every bad override."""
        problems = self.override_problems(overrides, may_add=may_add, always_available=always_available)
        if problems:
            raise ConfigError([Problem(key, reason) for key, reason in problems])
        return Catalogue({**self._texts, **{k: str(v) for k, v in overrides.items()}})


def _variant_problems(parsed: Mapping[str, _Parsed]) -> list[Problem]:
    """Reader variants must name a known reader, have a base text, and fill only the base's values."""
    problems: list[Problem] = []
    for key, parts in parsed.items():
        base, qualifier = split_variant(key)
        if qualifier is None:
            continue
        reason = qualifier_problem(qualifier)
        if reason is None and base not in parsed:
            reason = f"a reader variant needs the text {base!r} itself, for every other reader"
        if reason is None:
            own = {name for _, name, _, _ in parts if name is not None}
            extra = sorted(own - {name for _, name, _, _ in parsed[base] if name is not None})
            if extra:
                reason = f"uses {', '.join('{' + e + '}' for e in extra)}, which {base!r} does not fill"
        if reason is not None:
            problems.append(Problem(key, reason))
    return problems


# -- loading ---------------------------------------------------------------------------------------


def load_catalogue(directory: Traversable | str | PathLike[str] | None = None) -> Catalogue:
    """Read every ``*.yaml`` file in ``directory`` (default: the package's catalogue directory).

    Raises ``ConfigError`` listing every problem in every file: unreadable files, malformed YAML,
    non-text values, bad placeholders and keys defined more than once.
    """
    root: Traversable
    if directory is None:
        root = files(CATALOGUE_PACKAGE)
    elif isinstance(directory, str | PathLike):
        root = Path(directory)
    else:
        root = directory
    texts: dict[str, str] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    entries = sorted(
        (e for e in root.iterdir() if e.is_file() and e.name.endswith(".yaml")), key=lambda e: e.name
    )
    for entry in entries:
        file_texts, file_problems = _read_catalogue_file(entry)
        problems += file_problems
        for key, value in file_texts.items():
            if key in origin:
                problems.append(Problem(f"{entry.name}: {key}", f"already defined in {origin[key]}"))
            else:
                texts[key] = value
                origin[key] = entry.name
    if problems:
        raise ConfigError(problems)
    return Catalogue(texts)


def _read_catalogue_file(entry: Traversable) -> tuple[dict[str, str], list[Problem]]:
    try:
        document = read_yaml(entry.read_bytes(), entry.name)
    except ConfigError as exc:
        return {}, exc.problems
    if document is None:
        return {}, []
    if not isinstance(document, Mapping):
        return {}, [Problem(entry.name, f"expected a mapping of message keys, got {describe(document)}")]
    flat, flat_problems = flatten(document)
    problems = [Problem(f"{entry.name}: {key}", reason) for key, reason in flat_problems]
    texts: dict[str, str] = {}
    for key, value in flat.items():
        try:
            if not isinstance(value, str):
                raise ValueError(f"expected text, got {describe(value)}")
            _parse_template(value)
        except ValueError as exc:
            problems.append(Problem(f"{entry.name}: {key}", str(exc)))
        else:
            texts[key] = value
    return texts, problems


@functools.cache
def default_catalogue() -> Catalogue:
    """The texts shipped with the package, loaded once."""
    return load_catalogue()


def flatten(
    mapping: Mapping[object, object], prefix: str = ""
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """``{"a": {"b": "x"}}`` -> ``{"a.b": "x"}``, with problems for bad or repeated keys.

    Dotted keys may be written flat or nested or mixed; the same key reached both ways is a problem.
    """
    flat: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    for raw_key, value in mapping.items():
        if not isinstance(raw_key, str) or not raw_key or any(c.isspace() for c in raw_key):
            problems.append((f"{prefix}{raw_key}", "a message key must be a non-empty name without spaces"))
            continue
        key = f"{prefix}{raw_key}"
        if isinstance(value, Mapping):
            inner, inner_problems = flatten(value, key + ".")
            problems += inner_problems
            items: Iterable[tuple[str, object]] = inner.items()
        else:
            items = [(key, value)]
        for k, v in items:
            if k in flat:
                problems.append((k, "defined twice in this file"))
            else:
                flat[k] = v
    return flat, problems


# -- YAML ------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 scalars and no silent duplicate keys.

    PyYAML follows YAML 1.1, where an unquoted ``20:00`` is the number 1200 (base 60) and ``no`` or
    ``off`` are booleans; in a hand-written programme file both are traps.  Here ``20:00`` and ``no``
    stay text, only ``true``/``false`` are booleans and only plain decimal numbers are numbers.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if repeated:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} appears twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_OVERRIDDEN_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _OVERRIDDEN_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def read_yaml(raw: bytes, where: str) -> object:
    """Parse one YAML document. File-level problems raise ``ConfigError`` with ``where`` as the place.

    An empty document is ``None``; the caller decides whether that is acceptable.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = f"the file is not UTF-8 text (line {line}: byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise ConfigError([Problem(where, reason)]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ConfigError([Problem(where, f"invalid YAML at {at}{what}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(where, f"invalid YAML: {exc}")]) from None


def describe(value: object) -> str:
    """A short, non-technical description of a YAML value, for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'"{value}"'
    return type(value).__name__


# -- templates -------------------------------------------------------------------------------------


def _parse_template(template: str) -> _Parsed:
    try:
        parts = tuple(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValueError(
            f"the text has unbalanced braces ({exc}); write {{{{ and }}}} for literal braces"
        ) from None
    for _, name, spec, _ in parts:
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} must be a plain name such as {{name}}")
        if "{" in (spec or ""):
            raise ValueError(f"placeholder {{{name}}} has a nested placeholder in its format")
    return tuple((lit, name, spec or "", conv) for lit, name, spec, conv in parts)


def _placeholder(name: str, spec: str, conversion: str | None) -> str:
    conv = f"!{conversion}" if conversion else ""
    fmt = f":{spec}" if spec else ""
    return f"{{{name}{conv}{fmt}}}"


def _fill(key: str, value: object, spec: str, conversion: str | None) -> str:
    if conversion:
        value = _FORMATTER.convert_field(value, conversion)
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        log.warning("catalogue text %r: value %r does not fit format %r", key, value, spec)
        return str(value)
