"""The content catalogue: lookups, placeholders, overrides, loading, and the texts we ship."""

from __future__ import annotations

import logging
import re
import shutil
from importlib.resources import as_file
from importlib.resources import files
from pathlib import Path

import pytest

from bot.catalogue import Catalogue
from bot.catalogue import default_catalogue
from bot.catalogue import load_catalogue
from bot.errors import ConfigError
from bot.model import Format
from bot.model import Kind
from bot.programme import DEFAULT_PHASES
from bot.programme import GROUND_RULE_KEYS

KINDS = [k.value for k in Kind]
PHASES = [p.name for p in DEFAULT_PHASES]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return default_catalogue()


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# -- lookups and placeholders ---------------------------------------------------------------------


def test_text_fills_placeholders() -> None:
    c = Catalogue({"greet": "Hello {name}, welcome to {place}."})
    assert c.text("greet", name="Ann", place="the ward") == "Hello Ann, welcome to the ward."


def test_missing_value_stays_visible_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    c = Catalogue({"greet": "Hello {name}, you have {count:d} items."})
    with caplog.at_level(logging.WARNING, logger="bot.catalogue"):
        assert c.text("greet", name="Ann") == "Hello Ann, you have {count:d} items."
    assert "greet" in caplog.text
    assert "count" in caplog.text


def test_values_are_never_interpreted_as_templates() -> None:
    c = Catalogue({"echo": "You said: {text}"})
    assert c.text("echo", text="{name} {0} {__class__}") == "You said: {name} {0} {__class__}"


def test_literal_braces_and_unused_values() -> None:
    c = Catalogue({"k": "Use {{braces}} for {what}"})
    assert c.text("k", what="fun", extra="ignored") == "Use {braces} for fun"
    assert c.placeholders("k") == {"what"}


def test_a_value_that_does_not_fit_the_format_is_shown_plainly() -> None:
    c = Catalogue({"k": "{n:d} left"})
    assert c.text("k", n="some") == "some left"


def test_unknown_key_is_a_key_error_with_a_suggestion(cat: Catalogue) -> None:
    with pytest.raises(KeyError, match=r"did you mean 'error\.not_found'"):
        cat.text("error.not_fund")


def test_has_keys_and_variants() -> None:
    c = Catalogue({"a.one": "1", "a.two": "2", "ab": "x", "b": "y"})
    assert c.has("a.one")
    assert not c.has("a")
    assert c.keys() == ["a.one", "a.two", "ab", "b"]
    assert c.keys("a.") == ["a.one", "a.two"]
    assert c.variants("a") == ["a.one", "a.two"]
    assert c.variants("b") == ["b"]


@pytest.mark.parametrize("template", ["{person.email}", "{items[0]}", "{}", "{0}", "unbalanced {", "{a:{b}}"])
def test_templates_may_only_use_plain_names(template: str) -> None:
    with pytest.raises(ConfigError):
        Catalogue({"k": template})


# -- overrides ------------------------------------------------------------------------------------------


def test_overrides_replace_texts_and_leave_the_original_alone() -> None:
    base = Catalogue({"k": "Hi {name}", "other": "x"})
    changed = base.with_overrides({"k": "Good morning, {name}!"})
    assert changed.text("k", name="Bo") == "Good morning, Bo!"
    assert base.text("k", name="Bo") == "Hi Bo"
    assert changed.text("other") == "x"


def test_an_override_may_use_fewer_placeholders() -> None:
    assert Catalogue({"k": "Hi {name}"}).with_overrides({"k": "Hi there"}).text("k") == "Hi there"


def test_override_of_unknown_key_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        Catalogue({"error.not_found": "x"}).with_overrides({"error.not_fund": "y"})
    assert [(p.where, p.reason) for p in err.value.problems] == [
        ("error.not_fund", "unknown message key (did you mean error.not_found?)")
    ]


def test_override_with_a_placeholder_the_default_lacks_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        Catalogue({"k": "Hi {name}"}).with_overrides({"k": "Hi {name} from {team}"})
    assert err.value.problems[0].where == "k"
    assert "{team}" in err.value.problems[0].reason
    assert "{name}" in err.value.problems[0].reason  # what is available


# -- loading from files -------------------------------------------------------------------------------


def test_loader_reads_every_yaml_file_and_joins_nested_keys(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "onboarding:\n  welcome: Hello {name}\n  steps:\n    one: First\n")
    write(tmp_path, "b.yaml", "error.flat: Flat key\n")
    write(tmp_path, "notes.txt", "not: loaded\n")
    c = load_catalogue(tmp_path)
    assert c.keys() == ["error.flat", "onboarding.steps.one", "onboarding.welcome"]
    assert c.text("onboarding.welcome", name="Ann") == "Hello Ann"


def test_loader_picks_up_a_file_added_later(tmp_path: Path) -> None:
    write(tmp_path, "core.yaml", "a: A\n")
    assert not load_catalogue(tmp_path).has("scheduling.reminder")
    write(tmp_path, "scheduling.yaml", "scheduling:\n  reminder: Time to book a meeting.\n")
    assert load_catalogue(tmp_path).text("scheduling.reminder") == "Time to book a meeting."


def test_package_directory_picks_up_a_new_file(tmp_path: Path) -> None:
    """A file someone adds to ``bot/content/catalogue/`` is loaded with the rest."""
    with as_file(files("bot.content.catalogue")) as package_dir:
        for source in Path(package_dir).glob("*.yaml"):
            shutil.copy(source, tmp_path / source.name)
    write(tmp_path, "zz_new_feature.yaml", "new_feature:\n  nothing_booked: No meeting is booked yet.\n")
    c = load_catalogue(tmp_path)
    assert c.text("new_feature.nothing_booked") == "No meeting is booked yet."
    assert set(default_catalogue().keys()) < set(c.keys())


def test_key_defined_in_two_files_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "error:\n  oops: One\n")
    write(tmp_path, "b.yaml", "error.oops: Two\n")
    with pytest.raises(ConfigError) as err:
        load_catalogue(tmp_path)
    assert [str(p) for p in err.value.problems] == ["b.yaml: error.oops: already defined in a.yaml"]


def test_key_defined_twice_in_one_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "error:\n  oops: One\nerror.oops: Two\n")
    with pytest.raises(ConfigError) as err:
        load_catalogue(tmp_path)
    assert [str(p) for p in err.value.problems] == ["a.yaml: error.oops: defined twice in this file"]


def test_every_problem_in_every_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "good: fine\nlist: [1, 2]\nbad: '{person.email}'\n")
    write(tmp_path, "b.yaml", "broken: [unclosed\n")
    write(tmp_path, "c.yaml", "- just\n- a list\n")
    with pytest.raises(ConfigError) as err:
        load_catalogue(tmp_path)
    wheres = [p.where for p in err.value.problems]
    assert wheres == ["a.yaml: list", "a.yaml: bad", "b.yaml", "c.yaml"]
    assert "expected text, got a list" in err.value.problems[0].reason
    assert "line 2" in err.value.problems[2].reason


# -- the texts we ship ------------------------------------------------------------------------------------

CORE_KEYS = [
    "error.generic",
    "error.internal",
    "error.invalid_input",
    "error.unknown_command",
    "error.not_permitted",
    "error.not_found",
    "error.stale_action",
    "error.unavailable",
    "error.not_in_programme",
    "error.too_long",
    "error.date_in_past",
    "error.dst_gap",
    "help.heading",
]

COMMANDS = [
    "help",
    "my_relationships",
    "whats_next",
    "ground_rules",
    "schedule",
    "meetings",
    "agenda",
    "actions",
    "checkin",
    "network",
    "pause",
    "resume",
    "quiet",
    "timezone",
    "optout",
    "optin",
    "leave",
    "announce",
    "report",
    "audit",
]


@pytest.mark.parametrize("key", CORE_KEYS + [f"help.{c}" for c in COMMANDS])
def test_core_texts_exist(cat: Catalogue, key: str) -> None:
    assert cat.text(key).strip()


@pytest.mark.parametrize(
    ("key", "placeholders"),
    [
        ("error.invalid_input", {"reason"}),
        ("error.unknown_command", {"text", "suggestion"}),
        ("error.too_long", {"field", "limit"}),
        ("error.dst_gap", {"time", "timezone"}),
    ],
)
def test_error_texts_carry_their_values(cat: Catalogue, key: str, placeholders: set[str]) -> None:
    assert cat.placeholders(key) >= placeholders


def test_errors_that_are_not_the_users_fault_say_so(cat: Catalogue) -> None:
    assert "nothing you did" in cat.text("error.internal").lower()
    assert "try again shortly" in cat.text("error.unavailable")
    assert "try again shortly" in cat.text("error.internal")


@pytest.mark.parametrize("role", ["mentee", "guide", "coordinator"])
def test_help_has_a_line_per_role(cat: Catalogue, role: str) -> None:
    assert cat.text(f"help.role.{role}")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_says_what_it_is_and_is_not(cat: Catalogue, kind: str) -> None:
    assert cat.text(f"kind.{kind}.label")
    assert cat.text(f"kind.{kind}.what_it_is")
    assert " not " in f" {cat.text(f'kind.{kind}.what_it_is_not')} "


@pytest.mark.parametrize("fmt", [f.value for f in Format])
def test_each_format_has_a_note(cat: Catalogue, fmt: str) -> None:
    assert cat.text(f"format.{fmt}.note")


def test_the_non_evaluative_promise_is_explicit(cat: Catalogue) -> None:
    text = cat.text("non_evaluative").lower()
    for promise in ("assess", "panel", "reference"):
        assert promise in text
    assert "never what you talked about" in cat.text("confidentiality")


@pytest.mark.parametrize("phase", PHASES)
def test_each_default_phase_says_what_to_do_now(cat: Catalogue, phase: str) -> None:
    assert cat.text(f"phase.{phase}.what_now")


@pytest.mark.parametrize("item", GROUND_RULE_KEYS)
def test_each_ground_rule_item_has_a_label_and_a_hint(cat: Catalogue, item: str) -> None:
    assert cat.text(f"ground_rules.item.{item}.label")
    assert cat.text(f"ground_rules.item.{item}.hint")


def test_four_agenda_prompts(cat: Catalogue) -> None:
    assert len(cat.keys("agenda.prompt.")) == 4


@pytest.mark.parametrize("quadrant", ["stasis", "retreat", "confirmation", "growth"])
def test_each_checkin_quadrant_speaks_to_mentee_and_guide(cat: Catalogue, quadrant: str) -> None:
    assert cat.text(f"checkin.quadrant.{quadrant}.mentee")
    assert cat.text(f"checkin.quadrant.{quadrant}.guide_prompt")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", PHASES)
def test_every_kind_and_phase_has_a_mentor_prompt(cat: Catalogue, kind: str, phase: str) -> None:
    assert cat.variants(f"mentor_prompt.{kind}.{phase}")


def prompts_for(cat: Catalogue, kind: str) -> list[str]:
    return [cat.text(k).lower() for k in cat.variants(f"mentor_prompt.{kind}")]


@pytest.mark.parametrize("kind", ["coaching", "advising", "sponsorship"])
def test_prompts_are_worded_for_their_kind(cat: Catalogue, kind: str) -> None:
    """Role confusion is the classic pitfall: no identity prompts outside mentoring, no 'mentee'."""
    for prompt in prompts_for(cat, kind):
        assert "identity" not in prompt
        assert "belong" not in prompt
        assert not re.search(r"\bmentees?\b", prompt)


def test_coaching_prompts_are_about_goals_and_progress(cat: Catalogue) -> None:
    prompts = prompts_for(cat, "coaching")
    assert any("goal" in p for p in prompts)
    assert any("progress" in p for p in prompts)


def test_mentoring_prompts_cover_motives_framework_and_the_three_conditions(cat: Catalogue) -> None:
    names = {k.rsplit(".", 1)[1] for k in cat.variants("mentor_prompt.mentoring")}
    assert {"motives", "framework", "safe_space", "future", "transition"} <= names


@pytest.mark.parametrize("kind", KINDS)
def test_network_gap_for_each_kind(cat: Catalogue, kind: str) -> None:
    assert cat.text(f"network.gap.{kind}")
    assert cat.text("network.tip")


def test_every_shipped_text_renders_without_leftover_placeholders(cat: Catalogue) -> None:
    for key in cat.keys(""):
        values = dict.fromkeys(cat.placeholders(key), "X")
        assert "{" not in cat.text(key, **values), key
