"""Imperative mapping of the domain classes in ``bot.model`` onto ``storage.tables``.

Content classes (agenda, actions, notes, check-ins) are mapped without any relationship() from
Relationship, so loading a relationship never drags its content along.
"""

from __future__ import annotations

from typing import Any
from typing import Literal

from sqlalchemy import Table
from sqlalchemy.orm import registry
from sqlalchemy.orm import relationship

from bot import model
from storage import tables

mapper_registry = registry(metadata=tables.metadata)
_started = False


def _owned(cls: type, table: Table, lazy: Literal["select", "selectin"] = "selectin") -> Any:
    """A collection the parent owns (deleted with it), in the order it was written."""
    return relationship(cls, cascade="all, delete-orphan", lazy=lazy, order_by=table.c.id)


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    global _started
    if _started:
        return
    _started = True
    r = mapper_registry
    r.map_imperatively(model.Programme, tables.programmes)
    r.map_imperatively(model.ChatIdentity, tables.chat_identities)
    r.map_imperatively(
        model.Person,
        tables.people,
        properties={
            "identities": _owned(model.ChatIdentity, tables.chat_identities),
        },
    )
    r.map_imperatively(
        model.Membership,
        tables.memberships,
        properties={"person": relationship(model.Person, lazy="joined", innerjoin=True)},
    )
    r.map_imperatively(model.PhaseChange, tables.phase_changes)
    r.map_imperatively(
        model.Relationship,
        tables.relationships,
        exclude_properties=["review_at", "review_seq"],  # scheduler bookkeeping (storage.scheduling)
        properties={
            "members": _owned(model.Membership, tables.memberships),
            "phase_history": _owned(model.PhaseChange, tables.phase_changes, lazy="select"),
        },
    )
    r.map_imperatively(model.GroundRuleConfirmation, tables.ground_rule_confirmations)
    r.map_imperatively(
        model.GroundRules,
        tables.ground_rules,
        properties={"confirmations": _owned(model.GroundRuleConfirmation, tables.ground_rule_confirmations)},
    )
    r.map_imperatively(model.Meeting, tables.meetings)
    r.map_imperatively(model.AgendaItem, tables.agenda_items)
    r.map_imperatively(model.ActionItem, tables.action_items)
    r.map_imperatively(model.Goal, tables.goals)
    r.map_imperatively(model.Note, tables.notes)
    r.map_imperatively(model.CheckIn, tables.checkins)
    r.map_imperatively(model.ClosingReflection, tables.closing_reflections)
    r.map_imperatively(model.NetworkEntry, tables.network_entries)
    r.map_imperatively(model.NetworkAsk, tables.network_asks)
    r.map_imperatively(model.Announcement, tables.announcements)
    r.map_imperatively(model.Delivery, tables.deliveries, exclude_properties=["claim_token"])
    r.map_imperatively(model.AuditEvent, tables.audit_events)
    r.map_imperatively(model.Conversation, tables.conversations)

    from storage.numbering import install_item_numbers
    from storage.scheduling import install_review_marks

    install_review_marks()
    install_item_numbers()
