"""Programme configuration: the example, the defaults, and a clear message for every mistake."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import time
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from bot.catalogue import default_catalogue
from bot.errors import ConfigError
from bot.model import Kind
from bot.programme import GROUND_RULE_KEYS
from bot.programme import SETTINGS
from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from bot.programme import programme_from_mapping


def write(tmp_path: Path, text: str, name: str = "programme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> dict[str, str]:
    """Load ``text`` as programme.yaml, expect it to be rejected, and return {where: reason}."""
    with pytest.raises(ConfigError) as err:
        load_programme(write(tmp_path, text))
    return {p.where: p.reason for p in err.value.problems}


# -- the example ------------------------------------------------------------------------------------


def test_the_shipped_example_loads() -> None:
    p = load_programme(None)
    assert p.name == "Clinical Mentoring Programme"
    assert p.slug == "clinical-mentoring"
    assert p.timezone == "Europe/Dublin"
    assert p.phase_names() == ("initiation", "cultivation", "separation", "closure")
    assert p.quiet_start == time(20, 0)
    assert p.quiet_end == time(7, 30)
    assert "coordinator@example.org" in p.text("error.not_in_programme")


def test_the_example_uses_every_setting() -> None:
    data = yaml.safe_load(files("bot.content").joinpath("example_programme.yaml").read_text("utf-8"))
    assert set(data) == set(SETTINGS)
    assert set(data["ground_rule_defaults"]) == set(GROUND_RULE_KEYS)
    assert set(data["cadence"]) == {k.value for k in Kind}


def test_the_example_overrides_texts_but_keeps_the_rest() -> None:
    p = load_programme(None)
    assert p.text("network.tip") != default_catalogue().text("network.tip")
    assert p.text("error.not_found") == default_catalogue().text("error.not_found")


# -- defaults -----------------------------------------------------------------------------------------


def test_defaults_without_any_file() -> None:
    p = ProgrammeConfig.default()
    assert [(ph.name, ph.length) for ph in p.phases] == [
        ("initiation", timedelta(weeks=8)),
        ("cultivation", None),
        ("separation", timedelta(weeks=6)),
        ("closure", timedelta(weeks=2)),
    ]
    assert p.cadence_for(Kind.MENTORING) == timedelta(days=28)
    assert p.cadence_for("coaching") == timedelta(days=14)
    assert p.cadence_for("advising") == timedelta(days=42)
    assert p.cadence_for("sponsorship") == timedelta(days=90)
    assert p.agenda_lead == timedelta(hours=48)
    assert (p.quiet_start, p.quiet_end) == (time(20, 0), time(8, 0))
    assert p.weekend_days == (5, 6)
    assert (p.daily_nudge_cap, p.max_learners_per_guide, p.max_text_length) == (3, 3, 1000)
    assert p.checkin_interval == timedelta(weeks=4)
    assert p.protected_hours_per_month == 4
    assert (p.digest_weekday, p.digest_time) == (0, time(8, 30))
    assert p.ground_rules_reminder == timedelta(weeks=12)
    assert set(p.ground_rule_defaults) == set(GROUND_RULE_KEYS)
    assert p.ground_rule_defaults["who_schedules"] == "mentee"
    assert p.ground_rule_defaults["agenda_lead_time"] == "48h"
    assert p.catalogue == default_catalogue()


def test_phase_navigation() -> None:
    p = ProgrammeConfig.default()
    assert p.phase("separation").length == timedelta(weeks=6)
    assert p.next_phase("initiation") == "cultivation"
    assert p.next_phase("closure") is None
    with pytest.raises(KeyError, match="redefinition"):
        p.phase("redefinition")


def test_text_always_knows_the_programme_and_its_contact() -> None:
    p = replace(
        ProgrammeConfig.default(), name="Nursing Mentors", coordinator_contact="Sam (sam@example.org)"
    )
    assert "Sam (sam@example.org)" in p.text("error.not_in_programme")
    assert "Nursing Mentors" in p.text("help.heading", name="Ann")


def test_a_file_with_only_a_name_takes_every_default(tmp_path: Path) -> None:
    p = load_programme(write(tmp_path, "name: Peer Support Scheme 2026\n"))
    assert p.slug == "peer-support-scheme-2026"
    assert replace(p, name="Mentoring Programme", slug="mentoring-programme") == ProgrammeConfig.default()


def test_settings_are_read(tmp_path: Path) -> None:
    p = load_programme(
        write(
            tmp_path,
            """
            name: Surgical Coaching
            timezone: America/Toronto
            quiet_start: 21:30        # unquoted times are times, not base-60 numbers
            quiet_end: "6:45"
            weekend_days: [fri, 5]
            digest_weekday: thursday
            agenda_lead: 1d12h
            cadence: {coaching: 7}
            phases:
              - {name: initiation, length: 2w, nudges: [welcome]}
              - {name: cultivation, length: 3mo}
            ground_rule_defaults:
              mode: no            # stays the word "no", not a yes/no value
            """,
        )
    )
    assert p.quiet_start == time(21, 30)
    assert p.quiet_end == time(6, 45)
    assert p.weekend_days == (4, 5)
    assert p.digest_weekday == 3
    assert p.agenda_lead == timedelta(hours=36)
    assert p.ground_rule_defaults["agenda_lead_time"] == "36h"  # follows agenda_lead unless set
    assert p.ground_rule_defaults["mode"] == "no"
    assert p.cadence_for("coaching") == timedelta(days=7)
    assert p.cadence_for("mentoring") == timedelta(days=28)
    assert p.phase("cultivation").length == timedelta(days=90)
    assert p.next_phase("cultivation") is None


def test_overrides_may_use_programme_placeholders(tmp_path: Path) -> None:
    p = load_programme(
        write(
            tmp_path,
            """
            name: Dental Mentoring
            content:
              error.not_found: "Not found in {programme}. Ask {coordinator_contact}."
            """,
        )
    )
    assert p.text("error.not_found") == "Not found in Dental Mentoring. Ask your programme coordinator."


def test_a_programme_with_its_own_phase_names_supplies_their_texts(tmp_path: Path) -> None:
    p = load_programme(
        write(
            tmp_path,
            """
            name: Zachary Model
            phases:
              - {name: preparing, length: 4w}
              - {name: negotiating, length: 4w}
            content:
              phase.preparing.what_now: Get ready.
              phase.negotiating.what_now: Agree how you will work.
              mentor_prompt:
                mentoring: {preparing: {first: M1}, negotiating: {first: M2}}
                coaching: {preparing: {first: C1}, negotiating: {first: C2}}
                advising: {preparing: {first: A1}, negotiating: {first: A2}}
                sponsorship: {preparing: {first: S1}, negotiating: {first: S2}}
            """,
        )
    )
    assert p.text("phase.preparing.what_now") == "Get ready."
    assert p.catalogue.variants("mentor_prompt.coaching.preparing") == [
        "mentor_prompt.coaching.preparing.first"
    ]


# -- one clear message per mistake ------------------------------------------------------------------


def test_bad_phase_length(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        name: X
        phases:
          - {name: initiation, length: 8w}
          - {name: cultivation, length: open}
          - {name: separation, length: eight weeks}
        """,
    )
    assert found["programme.yaml: phases[2].length"].startswith(
        'expected a duration like "8w", got "eight weeks"'
    )


def test_unknown_time_zone(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "name: X\ntimezone: Mars/Base\n")
    assert found["programme.yaml: timezone"].startswith('unknown time zone "Mars/Base"')


@pytest.mark.parametrize("days", ["0", "-3", "2.5", "monthly", "true"])
def test_cadence_must_be_positive_whole_days(tmp_path: Path, days: str) -> None:
    found = problems_of(tmp_path, f"name: X\ncadence:\n  mentoring: {days}\n")
    assert found["programme.yaml: cadence.mentoring"].startswith("expected a positive whole number of days")


def test_cadence_for_an_unknown_kind(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "name: X\ncadence:\n  mentorship: 30\n")
    assert found == {
        "programme.yaml: cadence.mentorship": "unknown kind of relationship (did you mean mentoring?)"
    }


def test_unknown_setting_suggests_the_closest(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "name: X\ntimezon: UTC\ncolour: blue\n")
    assert found["programme.yaml: timezon"] == "unknown setting (did you mean timezone?)"
    assert found["programme.yaml: colour"].startswith("unknown setting (")


def test_unknown_message_key_in_content(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "name: X\ncontent:\n  foo:\n    bar: Hello\n")
    assert found == {"programme.yaml: content.foo.bar": "unknown message key"}


def test_content_placeholder_the_default_does_not_have(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path, 'name: X\ncontent:\n  error:\n    too_long: "{field} exceeds {limit} for {person}"\n'
    )
    reason = found["programme.yaml: content.error.too_long"]
    assert reason.startswith("uses {person}, which this message does not fill")
    assert "{limit}" in reason


def test_malformed_yaml_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "name: X\nphases:\n  - name: a\n   length: 8w\n")
    with pytest.raises(ConfigError) as err:
        load_programme(path)
    [problem] = err.value.problems
    assert problem.where == str(path)
    assert problem.reason.startswith("invalid YAML at line 4, column ")


def test_a_key_written_twice_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: X\ntimezone: UTC\ntimezone: Europe/Paris\n")
    with pytest.raises(ConfigError) as err:
        load_programme(path)
    assert "line 3" in err.value.problems[0].reason
    assert "'timezone' appears twice" in err.value.problems[0].reason


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_programme(path)
    assert [(p.where, p.reason.split(";")[0]) for p in err.value.problems] == [
        (str(path), "the file is empty")
    ]


def test_a_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: X\n- timezone: UTC\n")
    with pytest.raises(ConfigError) as err:
        load_programme(path)
    assert err.value.problems[0].where == str(path)
    assert err.value.problems[0].reason.endswith("got a list")


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as err:
        load_programme(path)
    assert str(err.value) == f"{path}: file not found"


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "programme.yaml"
    path.write_bytes("name: Programme de mentorat\npurpose: Réussir\n".encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_programme(path)
    [problem] = err.value.problems
    assert problem.where == str(path)
    assert problem.reason.startswith("the file is not UTF-8 text (line 2")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        timezone: Mars/Base
        quiet_start: "8pm"
        weekend_days: [saturday, funday]
        daily_nudge_cap: 0
        protected_hours_per_month: lots
        digest_weekday: 9
        phases:
          - {name: initiation, length: 0d}
          - {name: initiation, lenght: 2w}
        ground_rule_defaults:
          cancellation_notice: a day or so
          dress_code: smart
        content:
          error.not_found: 42
        """,
    )
    assert set(found) == {
        "programme.yaml: name",
        "programme.yaml: timezone",
        "programme.yaml: quiet_start",
        "programme.yaml: weekend_days[1]",
        "programme.yaml: daily_nudge_cap",
        "programme.yaml: protected_hours_per_month",
        "programme.yaml: digest_weekday",
        "programme.yaml: phases[0].length",
        "programme.yaml: phases[1].lenght",
        "programme.yaml: phases[1].name",
        "programme.yaml: ground_rule_defaults.cancellation_notice",
        "programme.yaml: ground_rule_defaults.dress_code",
        "programme.yaml: content.error.not_found",
    }
    assert found["programme.yaml: name"] == "missing; every programme needs a name"
    assert found["programme.yaml: phases[1].lenght"] == "unknown phase setting (did you mean length?)"
    assert found["programme.yaml: phases[1].name"] == 'the phase "initiation" is listed twice'
    assert found["programme.yaml: content.error.not_found"] == "expected text, got the number 42"


def test_the_error_lists_one_problem_per_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_programme(write(tmp_path, "name: X\ntimezone: Nowhere\nmax_text_length: many\n"))
    lines = str(err.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith('programme.yaml: timezone: unknown time zone "Nowhere"')
    assert (
        lines[1]
        == 'programme.yaml: max_text_length: expected a positive whole number of characters, got "many"'
    )


def test_weekend_cannot_be_every_day(tmp_path: Path) -> None:
    days = "[mon, tue, wed, thu, fri, sat, sun]"
    found = problems_of(tmp_path, f"name: X\nweekend_days: {days}\n")
    assert "no reminder could ever be sent" in found["programme.yaml: weekend_days"]


def test_own_phase_names_without_texts_are_reported(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path, "name: X\nphases:\n  - {name: initiation}\n  - {name: enabling, length: open}\n"
    )
    reason = found["programme.yaml: phases[1].name"]
    assert "content.phase.enabling.what_now" in reason
    assert "content.mentor_prompt.advising.enabling.<name>" in reason


def test_programme_from_mapping_needs_no_file() -> None:
    p = programme_from_mapping({"name": "Inline", "daily_nudge_cap": 1})
    assert p.daily_nudge_cap == 1
    with pytest.raises(ConfigError, match=r"^inline: daily_nudge_cap: expected a positive whole number"):
        programme_from_mapping({"name": "Inline", "daily_nudge_cap": "one"}, source="inline")


def test_held_grace_is_read_and_checked(tmp_path: Path) -> None:
    assert ProgrammeConfig.default().held_grace == timedelta(hours=72)
    assert load_programme(write(tmp_path, "name: X\nheld_grace: 2d\n")).held_grace == timedelta(days=2)
    found = problems_of(tmp_path, "name: X\nheld_grace: 30m\n")
    assert found["programme.yaml: held_grace"].startswith('expected at least "1h"')
    found = problems_of(tmp_path, "name: X\nheld_grace: three days\n")
    assert found["programme.yaml: held_grace"].startswith('expected a duration like "8w"')
