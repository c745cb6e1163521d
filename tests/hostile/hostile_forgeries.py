"""Forged buttons and forms: what a member of relationship A (Eli, a mentee) sends after editing the
hidden values of a button or form so that they name relationship B's things -- or a coordinator's tools.

Each forgery is an action and the values it carries, exactly what a Slack button value or modal
``private_metadata``, or a Teams ``Action.Submit`` / ``Action.Execute`` data, delivers to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostile_support import World


@dataclass(frozen=True)
class Forgery:
    what: str
    action: str
    values: dict[str, str]
    coordinator_only: bool = False  # refused by the coordinator tools, which audit the attempt


def against_b(w: World) -> list[Forgery]:
    """Buttons and forms of relationship A edited to point at relationship B's content."""
    rb, agenda, action, held, proposed = (
        str(x) for x in (w.rel_b, w.b_agenda, w.b_action, w.b_held_meeting, w.b_proposed_meeting)
    )
    return [
        Forgery("B's agenda item marked discussed", "agenda.discussed", {"i": agenda}),
        Forgery("B's agenda item carried over", "agenda.carry", {"i": agenda}),
        Forgery("B's action item marked done", "actions.done", {"a": action}),
        Forgery("B's action item dropped", "actions.drop", {"a": action}),
        Forgery("a comment on B's action item", "actions.comment_form", {"a": action}),
        Forgery("an action plan for B's meeting", "actions.plan", {"r": rb, "m": held}),
        Forgery("B's proposed meeting accepted", "meeting.accept", {"m": proposed, "at": w.b_proposed_at}),
        Forgery("B's proposed meeting declined", "meeting.decline", {"m": proposed}),
        Forgery("B's meeting cancelled", "meeting.cancel", {"m": proposed}),
        Forgery("B's meeting moved", "meeting.move", {"m": proposed}),
        Forgery("other times for B's meeting", "meeting.counter", {"m": proposed}),
        Forgery("B's meeting invite sent again", "meeting.invite", {"m": held}),
        Forgery("B's meeting reported held", "followup.held", {"m": held}),
        Forgery("B's meeting reported missed", "followup.missed", {"m": held}),
        Forgery("a meeting scheduled for B", "meeting.schedule", {"r": rb}),
        Forgery("B's agenda form", "agenda.form", {"r": rb}),
        Forgery("B's ground rules confirmed", "rules.confirm", {"r": rb, "g": str(w.b_rules)}),
        Forgery("B's ground rules withdrawn", "rules.withdraw", {"r": rb, "g": str(w.b_rules)}),
        Forgery("B's ground rules proposal form", "rules.propose", {"r": rb}),
        Forgery("Bea's check-in shared", "checkin.share", {"r": rb, "c": str(w.b_checkin)}),
        Forgery("a typed command for B behind a button", "command", {"text": f"agenda add #{rb} forged"}),
        Forgery(
            "B's meeting cancelled by form",
            "meeting.cancel.submit",
            {"v": "1", "m": proposed, "reason": "forged"},
        ),
        Forgery(
            "an agenda item added to B by form",
            "agenda.add",
            {"v": "1", "r": rb, "prompt": "own", "text": "forged"},
        ),
        Forgery(
            "a check-in for B by form",
            "checkin.submit",
            {"v": "1", "r": rb, "support": "3", "challenge": "3", "safety": "3"},
        ),
        Forgery(
            "B's ground rules proposed by form", "rules.submit", {"v": "1", "r": rb, "frequency": "daily"}
        ),
        Forgery(
            "an action added to B by form",
            "actions.add",
            {"v": "1", "r": rb, "what": "forged", "owner": str(w.bea_id)},
        ),
        Forgery(
            "times for B's meeting by form",
            "meeting.times",
            {"v": "1", "r": rb, "m": proposed, "option1": "2026-03-10 10:00", "minutes": "60"},
        ),
    ]


def coordinator_tools(w: World) -> list[Forgery]:
    """A mentee pressing coordinator buttons and submitting coordinator forms."""
    rb = str(w.rel_b)
    return [
        Forgery("an announcement sent", "announce.send", {"v": "1"}, coordinator_only=True),
        Forgery(
            "an announcement previewed",
            "announce.preview",
            {"v": "1", "title": "forged", "body": "forged", "roles": "mentee"},
            coordinator_only=True,
        ),
        Forgery("an announcement cancelled", "announce.cancel", {"v": "1"}, coordinator_only=True),
        Forgery(
            "a rematch submitted",
            "rematch.submit",
            {"v": "1", "r": rb, "guide": str(w.mentor_id)},
            coordinator_only=True,
        ),
        Forgery(
            "B paused behind a button", "command", {"text": f"pause relationship {rb}"}, coordinator_only=True
        ),
        Forgery(
            "B moved to another phase behind a button",
            "command",
            {"text": f"phase {rb} cultivation"},
            coordinator_only=True,
        ),
        Forgery(
            "B ended behind a button", "command", {"text": f"end relationship {rb}"}, coordinator_only=True
        ),
        Forgery(
            "an announcement form behind a button", "command", {"text": "announce"}, coordinator_only=True
        ),
    ]


def typed_coordinator_commands(w: World) -> list[str]:
    rb = w.rel_b
    return [
        f"pause relationship {rb}",
        f"phase {rb} cultivation",
        f"end relationship {rb}",
        f"rematch {rb}",
        "announce",
        "audit",
    ]
