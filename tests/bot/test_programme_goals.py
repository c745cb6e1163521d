"""The programme file's ``goals:`` list: the programme's own aims a learner may tag a goal with."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.programme import load_programme
from bot.programme import programme_goal


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "programme.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_programme(path)


def problems(tmp_path: Path, text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text)
    return {p.where: p.reason for p in err.value.problems}


def test_the_example_lists_the_three_goals_of_the_review() -> None:
    assert load_programme(None).programme_goals == (
        "identity formation",
        "professionalism",
        "academic performance",
    )


def test_a_programme_names_its_own_goals_or_none(tmp_path: Path) -> None:
    p = load(tmp_path, "name: X\ngoals: [clinical reasoning, 'leadership ']\n")
    assert p.programme_goals == ("clinical reasoning", "leadership")  # type: ignore[attr-defined]
    assert load(tmp_path, "name: X\ngoals: []\n").programme_goals == ()  # type: ignore[attr-defined]


def test_bad_goal_lists_are_reported_with_where_and_why(tmp_path: Path) -> None:
    found = problems(tmp_path, "name: X\ngoals: [leadership, Leadership, '', " + "x" * 61 + "]\n")
    assert "listed twice" in found["programme.yaml: goals[1]"]
    assert "expected text" in found["programme.yaml: goals[2]"]
    assert "at most 60 characters" in found["programme.yaml: goals[3]"]
    assert "expected a list" in problems(tmp_path, "name: X\ngoals: leadership\n")["programme.yaml: goals"]
    assert "did you mean goals?" in problems(tmp_path, "name: X\ngaols: [a]\n")["programme.yaml: gaols"]


def test_a_typed_programme_goal_is_matched_or_gets_a_suggestion() -> None:
    choices = ("identity formation", "professionalism")
    assert programme_goal("  Identity   Formation ", choices) == "identity formation"
    with pytest.raises(ValueError, match="did you mean professionalism"):
        programme_goal("profesionalism", choices)
