"""Programme configuration: everything a coordinator tunes, read from one YAML file.

Every key is optional except ``name``; a missing key takes the default shown.  Durations are written
like ``90m``, ``48h``, ``3d``, ``8w``, ``6mo`` (30 days) or combined (``1w2d``); times of day as
``"HH:MM"`` (24-hour; quoting is optional); weekdays as names (``monday``, ``sat``) or numbers (0 is
Monday).  The complete, commented example is ``bot/content/example_programme.yaml``.

==============================  =========================================================================
key                             meaning (default)
==============================  =========================================================================
``name``                        the programme's name, shown to everyone (required)
``slug``                        short identifier, lower-case letters, digits and dashes (from ``name``)
``timezone``                    IANA time zone of the programme, e.g. ``Europe/Dublin`` (``UTC``)
``purpose``                     why the programme exists; shown at onboarding
``expectations``                what each role is responsible for; shown at onboarding
``coordinator_contact``         who to contact, e.g. a name and e-mail address; used in many texts
``phases``                      list of ``{name, length, nudges}``; ``length`` is a duration or ``open``
                                (default: initiation 8w, cultivation open, separation 6w, closure 2w)
``cadence``                     days between meetings per kind: ``{mentoring: 28, coaching: 14,
                                advising: 42, sponsorship: 90}``; kinds left out keep their default
``agenda_lead``                 how long before a meeting the agenda should reach the guide (``48h``)
``quiet_start``/``quiet_end``   nobody is messaged between these local times (``20:00``-``08:00``)
``weekend_days``                days without nudges (``[saturday, sunday]``)
``daily_nudge_cap``             at most this many reminders per person per day (3)
``max_learners_per_guide``      a guide's load unless the coordinator raises it for one person (3)
``checkin_interval``            how often mentees are offered a check-in (``4w``)
``protected_hours_per_month``   meeting hours a guide is expected to give each month (4)
``digest_weekday``              day of the guides' weekly digest (``monday``)
``digest_time``                 local time of the digest (``08:30``)
``ground_rules_reminder``       how often a pair is reminded to review its ground rules, when their own
                                ``review`` answer names no interval the bot can read (``12w``)
``held_grace``                  how long after a confirmed meeting's end it counts as held when nobody
                                has answered "did you meet?" (``72h``; at least ``1h``)
``ground_rule_defaults``        suggested answers for the ground-rule items: ``frequency``,
                                ``duration``, ``mode``, ``who_schedules``, ``who_sets_agenda``,
                                ``agenda_lead_time``, ``response_time``, ``cancellation_notice``,
                                ``confidentiality``, ``boundaries``, ``feedback``, ``conflicts``,
                                ``review``, ``ending``; the pair edits and confirms them
``email_roles``                 roles reached by e-mail rather than chat when e-mail is on, e.g.
                                ``[guide]`` for guides from partner hospitals (none); a person's own
                                ``channel`` choice comes first
``max_text_length``             longest text a person may enter in one field (1000)
``goals``                       the programme's goals a learner may tag a development goal with (default:
                                identity formation, professionalism, academic performance)
``content``                     replacement texts for catalogue keys, nested or dotted
                                (``content: {error: {not_found: "..."}}``). An override may use only
                                the placeholders the default has, plus ``{programme}`` and
                                ``{coordinator_contact}``. A programme with its own phase names adds
                                ``phase.<name>.what_now`` and ``mentor_prompt.<kind>.<name>.<variant>``
                                texts here.
==============================  =========================================================================

Every problem in a file is reported at once, each with its place (``programme.yaml: phases[2].length``),
as a :class:`bot.errors.ConfigError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import time
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from bot.catalogue import Catalogue
from bot.catalogue import default_catalogue
from bot.catalogue import describe
from bot.catalogue import flatten
from bot.catalogue import read_yaml
from bot.durations import format_duration
from bot.durations import parse_clock
from bot.durations import parse_duration
from bot.errors import ConfigError
from bot.errors import Problem
from bot.model import Kind
from bot.readers import Reader

T = TypeVar("T")

EXAMPLE_PROGRAMME = "example_programme.yaml"

GROUND_RULE_KEYS: tuple[str, ...] = (
    "frequency",
    "duration",
    "mode",
    "who_schedules",
    "who_sets_agenda",
    "agenda_lead_time",
    "response_time",
    "cancellation_notice",
    "confidentiality",
    "boundaries",
    "feedback",
    "conflicts",
    "review",
    "ending",
)

# ground-rule answers that the bot reads as durations, so they must parse as one
_DURATION_RULES = ("agenda_lead_time", "cancellation_notice")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# placeholders that ProgrammeConfig.text fills in every text
PROGRAMME_PLACEHOLDERS = frozenset({"programme", "coordinator_contact"})


DEFAULT_PROGRAMME_GOALS = ("identity formation", "professionalism", "academic performance")
MAX_PROGRAMME_GOAL_LENGTH = 60


@dataclass(frozen=True)
class PhaseSpec:
    """One phase of a relationship. ``length`` None: open-ended, the pair moves on when ready."""

    name: str
    length: timedelta | None
    nudges: tuple[str, ...] = ()


DEFAULT_PHASES: tuple[PhaseSpec, ...] = (
    PhaseSpec("initiation", timedelta(weeks=8), ("welcome", "first_meeting", "ground_rules", "goals")),
    PhaseSpec("cultivation", None, ("schedule", "agenda", "actions", "checkin", "ground_rules_review")),
    PhaseSpec("separation", timedelta(weeks=6), ("schedule", "agenda", "actions", "reflect_growth")),
    PhaseSpec("closure", timedelta(weeks=2), ("closing_reflection",)),
)

DEFAULT_CADENCE_DAYS: Mapping[str, int] = {
    Kind.MENTORING.value: 28,
    Kind.COACHING.value: 14,
    Kind.ADVISING.value: 42,
    Kind.SPONSORSHIP.value: 90,
}

DEFAULT_GROUND_RULES: Mapping[str, str] = {
    "frequency": "every 4 weeks",
    "duration": "60 minutes",
    "mode": "video call or in person",
    "who_schedules": "mentee",
    "who_sets_agenda": "mentee",
    "agenda_lead_time": "48h",
    "response_time": "within 3 working days",
    "cancellation_notice": "24h",
    "confidentiality": "what we discuss stays between us, unless someone's safety is at risk",
    "boundaries": "no assessment of the mentee; no contact outside working hours unless agreed",
    "feedback": "openly and kindly, in the last few minutes of each meeting",
    "conflicts": "raise it with each other first; the programme coordinator if that does not help",
    "review": "every 3 months",
    "ending": "either of us can end it at any time, without blame, with a closing conversation",
}


@dataclass(frozen=True)
class ProgrammeConfig:
    """The settings of one programme. ``ProgrammeConfig.default()`` gives the built-in defaults."""

    name: str = "Mentoring Programme"
    slug: str = "mentoring-programme"
    timezone: str = "UTC"
    purpose: str = "This programme pairs learners with experienced colleagues who support their growth."
    expectations: str = (
        "Mentees lead: they book meetings, share an agenda beforehand and keep their action plan. "
        "Guides listen, support and challenge, and never assess their mentee."
    )
    coordinator_contact: str = "your programme coordinator"
    phases: tuple[PhaseSpec, ...] = DEFAULT_PHASES
    cadence_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CADENCE_DAYS))
    agenda_lead: timedelta = timedelta(hours=48)
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    weekend_days: tuple[int, ...] = (5, 6)
    daily_nudge_cap: int = 3
    max_learners_per_guide: int = 3
    checkin_interval: timedelta = timedelta(weeks=4)
    protected_hours_per_month: float = 4.0
    digest_weekday: int = 0
    digest_time: time = time(8, 30)
    ground_rules_reminder: timedelta = timedelta(weeks=12)
    held_grace: timedelta = timedelta(hours=72)
    ground_rule_defaults: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_GROUND_RULES))
    max_text_length: int = 1000
    email_roles: tuple[str, ...] = ()
    # the programme's own aims (domain.md §9) that a learner may tag a development goal with
    programme_goals: tuple[str, ...] = DEFAULT_PROGRAMME_GOALS
    catalogue: Catalogue = field(default_factory=default_catalogue, repr=False)

    def __post_init__(self) -> None:
        # cheap invariants, so that a hand-built config in a test fails early and clearly
        ZoneInfo(self.timezone)
        names = [p.name for p in self.phases]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"phases must be a non-empty list of distinct names, got {names}")

    @classmethod
    def default(cls) -> ProgrammeConfig:
        return cls()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def phase(self, name: str) -> PhaseSpec:
        for spec in self.phases:
            if spec.name == name:
                return spec
        raise KeyError(f"no phase {name!r} in this programme (phases: {', '.join(self.phase_names())})")

    def phase_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.phases)

    def next_phase(self, name: str) -> str | None:
        """The phase after ``name``; None after the last one."""
        names = self.phase_names()
        index = names.index(self.phase(name).name)
        return names[index + 1] if index + 1 < len(names) else None

    def cadence_for(self, kind: str) -> timedelta:
        try:
            return timedelta(days=self.cadence_days[str(kind)])
        except KeyError:
            raise KeyError(f"no cadence for kind {kind!r}") from None

    def text(self, key: str, /, **values: object) -> str:
        """A catalogue text; ``{programme}`` and ``{coordinator_contact}`` are always filled."""
        filled: dict[str, object] = {"programme": self.name, "coordinator_contact": self.coordinator_contact}
        filled.update(values)
        return self.catalogue.text(key, **filled)

    def text_for(self, key: str, reader: Reader, /, **values: object) -> str:
        """:meth:`text` in the words written for ``reader`` (``bot.readers``)."""
        return self.text(self.catalogue.resolve(key, reader), **values)


# -- loading ---------------------------------------------------------------------------------------


def load_programme(
    path: str | Path | None = None, *, nudge_families: Collection[str] | None = None
) -> ProgrammeConfig:
    """Read and check a programme file; None reads the example shipped with the package.

    ``nudge_families``: the names a phase's ``nudges`` may list (the scheduler's registry,
    ``scheduler.nudges.PROGRAMME_NAMES``, which the bot cannot import); an unknown name is a problem with
    a "did you mean", not a reminder silently never sent.  None checks only their spelling.

    Raises ``ConfigError`` with every problem found.
    """
    if path is None:
        raw = files("bot.content").joinpath(EXAMPLE_PROGRAMME).read_bytes()
        where = source = EXAMPLE_PROGRAMME
    else:
        file = Path(path)
        where, source = str(file), file.name
        raw = _read_file(file)
    data = read_yaml(raw, where)
    if data is None:
        raise ConfigError(
            [Problem(where, "the file is empty; it needs at least a programme name (name: ...)")]
        )
    if not isinstance(data, Mapping):
        raise ConfigError(
            [Problem(where, f"expected programme settings (key: value lines), got {describe(data)}")]
        )
    return programme_from_mapping(data, source=source, nudge_families=nudge_families)


def _read_file(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        reason = "file not found"
    except IsADirectoryError:
        reason = "this is a folder; expected a YAML file"
    except PermissionError:
        reason = "the file cannot be read (permission denied)"
    except OSError as exc:
        reason = f"the file cannot be read ({exc.strerror or exc})"
    raise ConfigError([Problem(str(file), reason)])


def programme_from_mapping(
    data: Mapping[object, object],
    source: str = "programme",
    *,
    nudge_families: Collection[str] | None = None,
) -> ProgrammeConfig:
    """Build a config from already-parsed settings. ``source`` prefixes every problem's place;
    ``nudge_families`` as for :func:`load_programme`."""
    return _Reader(source, nudge_families).read(data)


SETTINGS = (
    "name",
    "slug",
    "timezone",
    "purpose",
    "expectations",
    "coordinator_contact",
    "phases",
    "cadence",
    "agenda_lead",
    "quiet_start",
    "quiet_end",
    "weekend_days",
    "daily_nudge_cap",
    "max_learners_per_guide",
    "checkin_interval",
    "protected_hours_per_month",
    "digest_weekday",
    "digest_time",
    "ground_rules_reminder",
    "held_grace",
    "ground_rule_defaults",
    "max_text_length",
    "email_roles",
    "goals",
    "content",
)

_PHASE_KEYS = ("name", "length", "nudges")
_OPEN_ENDED = ("open", "open-ended", "none")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUDGE = re.compile(r"[a-z][a-z0-9_]*")


class _Reader:
    """Reads settings, collecting every problem instead of stopping at the first."""

    def __init__(self, source: str, nudge_families: Collection[str] | None = None) -> None:
        self.source = source
        self.nudge_families = sorted(nudge_families) if nudge_families is not None else None
        self.problems: list[Problem] = []

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(Problem(f"{self.source}: {path}" if self.source else path, reason))

    def take(
        self, data: Mapping[object, object], key: str, parse: Callable[[object], T], default: T, at: str = ""
    ) -> T:
        """``parse(data[key])``, or ``default`` when the key is absent or its value is wrong."""
        if key not in data:
            return default
        try:
            return parse(data[key])
        except ValueError as exc:
            self.problem(f"{at}.{key}" if at else key, str(exc))
            return default

    def read(self, data: Mapping[object, object]) -> ProgrammeConfig:
        d = ProgrammeConfig()
        for key in data:
            if key not in SETTINGS:
                self.problem(str(key), f"unknown setting{_did_you_mean(str(key), SETTINGS)}")
        if "name" not in data:
            self.problem("name", "missing; every programme needs a name")
        name = self.take(data, "name", _text, d.name)
        phases = self.take_phases(data["phases"]) if "phases" in data else d.phases
        agenda_lead = self.take(data, "agenda_lead", _duration, d.agenda_lead)
        weekend = self.take_weekend(data["weekend_days"]) if "weekend_days" in data else d.weekend_days
        cadence = self.take_cadence(data["cadence"]) if "cadence" in data else d.cadence_days
        config = ProgrammeConfig(
            name=name,
            slug=self.take(data, "slug", _slug, _slugify(name)),
            timezone=self.take(data, "timezone", _timezone, d.timezone),
            purpose=self.take(data, "purpose", _text, d.purpose),
            expectations=self.take(data, "expectations", _text, d.expectations),
            coordinator_contact=self.take(data, "coordinator_contact", _text, d.coordinator_contact),
            phases=phases,
            cadence_days=cadence,
            agenda_lead=agenda_lead,
            quiet_start=self.take(data, "quiet_start", _clock, d.quiet_start),
            quiet_end=self.take(data, "quiet_end", _clock, d.quiet_end),
            weekend_days=weekend,
            daily_nudge_cap=self.take(data, "daily_nudge_cap", _positive_int(""), d.daily_nudge_cap),
            max_learners_per_guide=self.take(
                data, "max_learners_per_guide", _positive_int(""), d.max_learners_per_guide
            ),
            checkin_interval=self.take(data, "checkin_interval", _duration, d.checkin_interval),
            protected_hours_per_month=self.take(
                data, "protected_hours_per_month", _hours, d.protected_hours_per_month
            ),
            digest_weekday=self.take(data, "digest_weekday", _weekday, d.digest_weekday),
            digest_time=self.take(data, "digest_time", _clock, d.digest_time),
            ground_rules_reminder=self.take(
                data, "ground_rules_reminder", _duration, d.ground_rules_reminder
            ),
            held_grace=self.take(data, "held_grace", _held_grace, d.held_grace),
            ground_rule_defaults=self.take_ground_rules(data.get("ground_rule_defaults", {}), agenda_lead),
            max_text_length=self.take(
                data, "max_text_length", _positive_int(" of characters"), d.max_text_length
            ),
            email_roles=self.take(data, "email_roles", _roles, d.email_roles),
            programme_goals=self.take_goals(data["goals"]) if "goals" in data else d.programme_goals,
            catalogue=self.take_content(data.get("content", {}), phases),
        )
        if self.problems:
            raise ConfigError(self.problems)
        return config

    # -- compound settings -------------------------------------------------------------------------
    def take_goals(self, value: object) -> tuple[str, ...]:
        """The programme's goals: a list of short, distinct names (an empty list: none offered)."""
        if not isinstance(value, list):
            self.problem("goals", f"expected a list of programme goals, got {describe(value)}")
            return DEFAULT_PROGRAMME_GOALS
        names: list[str] = []
        for i, item in enumerate(value):
            try:
                name = _text(item)
            except ValueError as exc:
                self.problem(f"goals[{i}]", str(exc))
                continue
            if len(name) > MAX_PROGRAMME_GOAL_LENGTH:
                self.problem(
                    f"goals[{i}]", f"at most {MAX_PROGRAMME_GOAL_LENGTH} characters, got {len(name)}"
                )
            elif name.casefold() in (n.casefold() for n in names):
                self.problem(f"goals[{i}]", f"{name!r} is listed twice")
            else:
                names.append(name)
        return tuple(names)

    def take_phases(self, value: object) -> tuple[PhaseSpec, ...]:
        """The phases as written, or the defaults (after reporting why) when any of them is wrong."""
        if not isinstance(value, list) or not value:
            self.problem("phases", f"expected a list of phases (name, length, nudges), got {describe(value)}")
            return DEFAULT_PHASES
        known_problems = len(self.problems)
        phases: list[PhaseSpec] = []
        for i, item in enumerate(value):
            at = f"phases[{i}]"
            if not isinstance(item, Mapping):
                self.problem(at, f"expected a phase with name, length and nudges, got {describe(item)}")
                continue
            for key in item:
                if key not in _PHASE_KEYS:
                    self.problem(
                        f"{at}.{key}", f"unknown phase setting{_did_you_mean(str(key), _PHASE_KEYS)}"
                    )
            if "name" not in item:
                self.problem(f"{at}.name", "missing; every phase needs a name")
            name = self.take(item, "name", _phase_name, "", at)
            if name and name in {p.name for p in phases}:
                self.problem(f"{at}.name", f'the phase "{name}" is listed twice')
            length = self.take(item, "length", _phase_length, None, at)
            nudges: tuple[str, ...] = self.take(item, "nudges", _nudges, (), at)
            self.check_nudge_families(nudges, at)
            phases.append(PhaseSpec(name, length, nudges))
        return tuple(phases) if len(self.problems) == known_problems else DEFAULT_PHASES

    def check_nudge_families(self, nudges: tuple[str, ...], at: str) -> None:
        known = self.nudge_families
        if known is None:
            return
        for j, name in enumerate(nudges):
            if name not in known:
                self.problem(f"{at}.nudges[{j}]", f"unknown reminder {name}{_did_you_mean(name, known)}")

    def take_cadence(self, value: object) -> dict[str, int]:
        cadence = dict(DEFAULT_CADENCE_DAYS)
        if not isinstance(value, Mapping):
            self.problem(
                "cadence",
                f"expected days between meetings per kind (mentoring: 28, ...), got {describe(value)}",
            )
            return cadence
        kinds = [k.value for k in Kind]
        for kind, days in value.items():
            at = f"cadence.{kind}"
            if kind not in kinds:
                self.problem(at, f"unknown kind of relationship{_did_you_mean(str(kind), kinds)}")
                continue
            try:
                cadence[str(kind)] = _positive_int(" of days")(days)
            except ValueError as exc:
                self.problem(at, str(exc))
        return cadence

    def take_weekend(self, value: object) -> tuple[int, ...]:
        if not isinstance(value, list):
            self.problem(
                "weekend_days", f"expected a list of days, e.g. [saturday, sunday], got {describe(value)}"
            )
            return (5, 6)
        days: set[int] = set()
        for i, item in enumerate(value):
            try:
                days.add(_weekday(item))
            except ValueError as exc:
                self.problem(f"weekend_days[{i}]", str(exc))
        if len(days) == 7:
            self.problem("weekend_days", "every day is a weekend day, so no reminder could ever be sent")
        return tuple(sorted(days))

    def take_ground_rules(self, value: object, agenda_lead: timedelta) -> dict[str, str]:
        rules = dict(DEFAULT_GROUND_RULES, agenda_lead_time=format_duration(agenda_lead))
        if not isinstance(value, Mapping):
            self.problem(
                "ground_rule_defaults", f"expected suggested answers per item, got {describe(value)}"
            )
            return rules
        for key, answer in value.items():
            at = f"ground_rule_defaults.{key}"
            if key not in GROUND_RULE_KEYS:
                self.problem(at, f"unknown ground-rule item{_did_you_mean(str(key), GROUND_RULE_KEYS)}")
                continue
            if isinstance(answer, bool) or not isinstance(answer, str | int | float):
                self.problem(at, f"expected a short text answer, got {describe(answer)}")
                continue
            text = str(answer).strip()
            if key in _DURATION_RULES:
                try:
                    parse_duration(text)
                except ValueError as exc:
                    self.problem(at, str(exc))
                    continue
            rules[str(key)] = text
        return rules

    def take_content(self, value: object, phases: tuple[PhaseSpec, ...]) -> Catalogue:
        base = default_catalogue()
        if not isinstance(value, Mapping):
            self.problem("content", f"expected message texts by key, got {describe(value)}")
            return base
        overrides, problems = flatten(value)
        for key, reason in problems:
            self.problem(f"content.{key}", reason)
        phase_names = {p.name for p in phases}
        kinds = [k.value for k in Kind]

        def may_add(key: str) -> bool:
            """A programme with phases of its own writes the phase texts for them."""
            parts = key.split(".")
            if parts[0] == "phase":
                return len(parts) >= 3 and parts[1] in phase_names
            return (
                parts[0] == "mentor_prompt"
                and len(parts) >= 3
                and parts[1] in kinds
                and parts[2] in phase_names
            )

        bad = base.override_problems(overrides, may_add=may_add, always_available=PROGRAMME_PLACEHOLDERS)
        for key, reason in bad:
            self.problem(f"content.{key}", reason)
        good = {k: v for k, v in overrides.items() if k not in {key for key, _ in bad}}
        catalogue = base.with_overrides(good, may_add=may_add, always_available=PROGRAMME_PLACEHOLDERS)
        self.check_phase_texts(catalogue, phases, kinds)
        return catalogue

    def check_phase_texts(
        self, catalogue: Catalogue, phases: tuple[PhaseSpec, ...], kinds: list[str]
    ) -> None:
        for i, phase in enumerate(phases):
            missing = (
                []
                if catalogue.has(f"phase.{phase.name}.what_now")
                else [f"content.phase.{phase.name}.what_now"]
            )
            missing += [
                f"content.mentor_prompt.{kind}.{phase.name}.<name>"
                for kind in kinds
                if not catalogue.variants(f"mentor_prompt.{kind}.{phase.name}")
            ]
            if missing:
                self.problem(
                    f"phases[{i}].name",
                    f'phase "{phase.name}" has no texts of its own; add {", ".join(missing)}',
                )


# -- single values: each returns the parsed value or raises ValueError with the reason ---------------


def _text(value: object) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    raise ValueError(f"expected text, got {describe(value)}")


def _slug(value: object) -> str:
    if isinstance(value, str) and _SLUG.fullmatch(value):
        return value
    raise ValueError(
        f"expected lower-case letters, digits and dashes, like clinical-mentoring, got {describe(value)}"
    )


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "programme"


def _timezone(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f'expected a time zone name like "Europe/London", got {describe(value)}')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'unknown time zone "{value}" (use a name like "Europe/London" or "America/Toronto")'
        ) from None
    return value


def _duration(value: object) -> timedelta:
    if not isinstance(value, str):
        raise ValueError(f'expected a duration like "8w", got {describe(value)}')
    length = parse_duration(value)
    if length <= timedelta(0):
        raise ValueError(f'expected a duration longer than zero, got "{value}"')
    return length


def _held_grace(value: object) -> timedelta:
    length = _duration(value)
    if length < timedelta(hours=1):
        raise ValueError(
            f'expected at least "1h" (the time members have to answer "did you meet?"), got "{value}"'
        )
    return length


def _phase_length(value: object) -> timedelta | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in _OPEN_ENDED):
        return None
    return _duration(value)


def _phase_name(value: object) -> str:
    if isinstance(value, str) and _NUDGE.fullmatch(value):
        return value
    raise ValueError(
        f"expected a lower-case name like initiation (letters, digits, _), got {describe(value)}"
    )


def _nudges(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) and _NUDGE.fullmatch(v) for v in value):
        return tuple(value)
    raise ValueError(f"expected a list of reminder names like [schedule, agenda], got {describe(value)}")


def _roles(value: object) -> tuple[str, ...]:
    names = ("mentee", "guide", "coordinator")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        wrong = [v for v in value if v not in names]
        if not wrong:
            return tuple(dict.fromkeys(value))
        raise ValueError(f"{wrong[0]!r} is not a role; roles are {', '.join(names)}")
    raise ValueError(f"expected a list of roles like [guide], got {describe(value)}")


def _clock(value: object) -> time:
    if not isinstance(value, str):
        raise ValueError(f'expected a time of day like "08:30", got {describe(value)}')
    return parse_clock(value)


def _positive_int(unit: str) -> Callable[[object], int]:
    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        raise ValueError(f"expected a positive whole number{unit}, got {describe(value)}")

    return parse


def _hours(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 744:
        return float(value)
    raise ValueError(f"expected a number of hours between 0 and 744, got {describe(value)}")


def _weekday(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        for i, day in enumerate(WEEKDAYS):
            if lowered in (day, day[:3]):
                return i
    raise ValueError(f'expected a day such as "monday" or a number 0-6 (0 is Monday), got {describe(value)}')


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]}?)"
    return f" (known: {', '.join(choices)})"


def programme_goal(name: str, choices: tuple[str, ...]) -> str:
    """The programme goal ``name`` means (case and spacing ignored); ValueError with a suggestion."""
    wanted = " ".join(name.split()).casefold()
    for choice in choices:
        if choice.casefold() == wanted:
            return choice
    raise ValueError(f"{name!r} is not one of the programme's goals{_did_you_mean(name, choices)}")
