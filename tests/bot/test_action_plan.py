"""The gentle SMART check and the small rules of action plans."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from bot.action_plan import close
from bot.action_plan import is_overdue
from bot.action_plan import open_items
from bot.action_plan import parse_priority
from bot.action_plan import resolve_owner
from bot.action_plan import smart_suggestions
from bot.action_plan import unobservable_outcome
from bot.action_plan import vague_phrase
from bot.catalogue import default_catalogue
from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import Membership
from bot.model import Person
from bot.model import Priority
from bot.model import Relationship

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def item(text: str = "Email Dr Osei", **kw: object) -> ActionItem:
    defaults: dict[str, object] = {"owner_id": 1, "due_on": date(2026, 3, 9)}
    return ActionItem(relationship_id=1, text=text, created_by=1, created_at=NOW, **(defaults | kw))  # type: ignore[arg-type]


def keys(action: ActionItem) -> list[str]:
    return [s.key.rsplit(".", 1)[1] for s in smart_suggestions(action)]


def test_a_specific_owned_dated_item_gets_no_suggestion() -> None:
    assert smart_suggestions(item("Send my CV to the programme director")) == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Think about which specialty", "think about"),
        ("look  into the research elective", "look into"),
        ("I'll TRY TO present at journal club", "try to"),
        ("Consider a teaching course", "consider"),
        ("work on my presentation skills", "work on"),
    ],
)
def test_vague_verbs_are_named(text: str, phrase: str) -> None:
    assert vague_phrase(text) == phrase
    suggestion = smart_suggestions(item(text))[0]
    assert suggestion.key == "actions.smart.vague" and suggestion.values == {"phrase": phrase}


def test_vague_words_inside_other_words_do_not_count() -> None:
    # "reconsider" is not "consider"; "networking on" is not "work on"
    assert vague_phrase("Reconsidered my rota; networking online") is None


def test_missing_owner_and_date_are_suggested_but_an_outside_owner_counts() -> None:
    assert keys(item(owner_id=None, due_on=None)) == ["no_owner", "no_due"]
    assert keys(item(owner_id=None, owner_name="Dr Osei")) == []


def test_suggestions_never_block_they_are_only_returned() -> None:
    vague = item("maybe think about it", owner_id=None, due_on=None)
    assert keys(vague) == ["vague", "no_owner", "no_due"]
    assert vague.status == ActionStatus.OPEN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", Priority.MUST),
        ("must-do", Priority.MUST),
        ("Nice to have", Priority.NICE),
        ("nice", Priority.NICE),
    ],
)
def test_priorities(raw: str, expected: Priority) -> None:
    assert parse_priority(raw) == expected


def test_an_unknown_priority_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_priority("urgent")


def relationship() -> Relationship:
    mentor = Person(email="m@x", name="Maria", id=1)
    mentee = Person(email="e@x", name="Eli", id=2)
    return Relationship(
        kind="mentoring",
        format="one-to-one",
        phase="initiation",
        started_on=date(2026, 1, 1),
        members=[
            Membership(person=mentor, side="guide", person_id=1),
            Membership(person=mentee, side="learner", person_id=2),
        ],
        id=7,
    )


def test_owners_are_members_someone_outside_or_nobody() -> None:
    rel = relationship()
    assert resolve_owner("2", "", rel) == (2, "")
    assert resolve_owner("other", "  Dr   Osei ", rel) == (None, "Dr Osei")
    assert resolve_owner("none", "", rel) == (None, "")
    with pytest.raises(InvalidInput):
        resolve_owner("99", "", rel)
    with pytest.raises(InvalidInput):
        resolve_owner("other", "", rel)


def test_overdue_and_the_order_items_are_read_in() -> None:
    today = date(2026, 3, 10)
    late = item("late", due_on=date(2026, 3, 9), id=1)
    nice_soon = item("nice soon", due_on=date(2026, 3, 12), priority=Priority.NICE, id=2)
    must_soon = item("must soon", due_on=date(2026, 3, 12), id=3)
    undated = item("undated", due_on=None, id=4)
    done = item("done", status=ActionStatus.DONE, due_on=date(2026, 1, 1), id=5)
    assert is_overdue(late, today) and not is_overdue(nice_soon, today) and not is_overdue(done, today)
    assert [i.text for i in open_items([undated, done, nice_soon, must_soon, late])] == [
        "late",
        "must soon",
        "nice soon",
        "undated",
    ]


def test_closing_twice_is_stale() -> None:
    action = item()
    close(action, ActionStatus.DONE, NOW)
    assert (action.status, action.closed_at) == (ActionStatus.DONE, NOW)
    with pytest.raises(StaleAction):
        close(action, ActionStatus.DROPPED, NOW)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Be more confident", "be more confident"),
        ("Feel better prepared for the exam", "feel better"),
        ("Improve my communication with the team", "improve my communication"),
        ("Become a better listener", "become a better listener"),
        ("Gain confidence on the ward", "gain confidence"),
    ],
)
def test_an_outcome_nobody_could_observe_is_named(text: str, phrase: str) -> None:
    assert unobservable_outcome(text) == phrase
    suggestion = smart_suggestions(item(text))[0]
    assert suggestion.key == "actions.smart.no_result" and suggestion.values == {"phrase": phrase}


@pytest.mark.parametrize(
    "text",
    [
        "Present one case at the ward round",
        "Be more confident: present 2 cases at the ward round",  # a count makes it checkable
        "Ask Dr Osei for feedback on my discharge letters",
        "Be on time for clinic",
    ],
)
def test_observable_actions_pass(text: str) -> None:
    assert smart_suggestions(item(text)) == []


def test_the_outcome_suggestion_is_gentle() -> None:
    words = default_catalogue().text("actions.smart.no_result", phrase="be more confident").lower()
    assert "what would you" in words
    assert not any(w in words for w in ("wrong", "bad", "must", "fail", "well done"))
