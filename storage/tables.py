"""The schema, as SQLAlchemy Core tables. Alembic migrations are written against this metadata."""

from __future__ import annotations

from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func

from storage.types import JSONValue
from storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

programmes = Table(
    "programmes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("programme_id", ForeignKey("programmes.id"), nullable=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("roles", JSONValue, nullable=False),
    Column("cohort", String(100), nullable=False, default=""),
    Column("stage", String(100), nullable=False, default=""),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("paused", Boolean, nullable=False, default=False),
    Column("paused_until", Date, nullable=True),
    Column("quiet_start", String(5), nullable=True),
    Column("quiet_end", String(5), nullable=True),
    Column("opt_outs", JSONValue, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("capacity", Integer, nullable=True),
    # the channel the person chose with ``channel email|slack|teams``; "" = the programme's rule
    Column("channel", String(20), nullable=False, default="", server_default=""),
    Column("erased_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=True),
)

chat_identities = Table(
    "chat_identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("workspace", String(200), nullable=False, default=""),
    Column("address", JSONValue, nullable=False),
    Column("updated_at", UTCDateTime, nullable=True),
    UniqueConstraint("platform", "external_id", name="uq_chat_identities_platform_external"),
    UniqueConstraint("person_id", "platform", name="uq_chat_identities_person_platform"),
)

relationships = Table(
    "relationships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("programme_id", ForeignKey("programmes.id"), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("phase", String(40), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("planned_end", Date, nullable=True),
    Column("cadence_days", Integer, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("assessor_conflict", Boolean, nullable=False, default=False),
    Column("override_reason", Text, nullable=False, default=""),
    Column("external_ref", String(200), nullable=False, default="", index=True),
    Column("created_at", UTCDateTime, nullable=True),
    Column("ended_at", UTCDateTime, nullable=True),
    # scheduler bookkeeping (not mapped onto the domain object): when the nudge planner next needs to
    # look at this relationship (NULL: as soon as possible), and a counter that grows whenever something
    # the planner depends on changes, so a plan pass never overwrites a newer "look again" mark
    Column("review_at", UTCDateTime, nullable=True),
    Column("review_seq", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_relationships_status_review", "status", "review_at"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("side", String(20), nullable=False),
    Column("joined_at", UTCDateTime, nullable=True),
    Column("left_at", UTCDateTime, nullable=True),
    Index("ix_memberships_person_relationship", "person_id", "relationship_id"),
    Index("ix_memberships_relationship", "relationship_id"),
)

phase_changes = Table(
    "phase_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("phase", String(40), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("by_person_id", ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
)

ground_rules = Table(
    "ground_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("items", JSONValue, nullable=False),
    Column("proposed_by", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("proposed_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("agreed_at", UTCDateTime, nullable=True),
    UniqueConstraint("relationship_id", "version", name="uq_ground_rules_relationship_version"),
)

ground_rule_confirmations = Table(
    "ground_rule_confirmations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", ForeignKey("ground_rules.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("agreement_id", "person_id", name="uq_ground_rule_confirmations_agreement_person"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("scheduled_by", ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("options", JSONValue, nullable=False),
    Column("starts_at", UTCDateTime, nullable=True),
    Column("duration_minutes", Integer, nullable=False, default=60),
    Column("held_minutes", Integer, nullable=True),
    Column("cancel_reason", Text, nullable=False, default=""),
    Column("location", String(500), nullable=False, default=""),
    Column("updated_at", UTCDateTime, nullable=True),
    Column("responses", JSONValue, nullable=False, server_default="{}"),
    Column("sequence", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_meetings_relationship_starts", "relationship_id", "starts_at"),
    Index("ix_meetings_status_starts", "status", "starts_at"),
)

agenda_items = Table(
    "agenda_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("meeting_id", ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True),
    Column("author_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("number", Integer, nullable=False),  # stable per relationship: see storage.numbering
    Column("removed_by", ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    UniqueConstraint("relationship_id", "number", name="uq_agenda_items_number"),
)

action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("meeting_id", ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True),
    Column("text", Text, nullable=False),
    Column("created_by", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("owner_id", ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("owner_name", String(200), nullable=False, default=""),
    Column("due_on", Date, nullable=True),
    Column("priority", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("guide_comment", Text, nullable=False, default=""),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("goal_id", ForeignKey("goals.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("number", Integer, nullable=False),  # stable per relationship: see storage.numbering
    Index("ix_action_items_status_due", "status", "due_on"),
    UniqueConstraint("relationship_id", "number", name="uq_action_items_number"),
)

goals = Table(
    "goals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("layer", String(20), nullable=False, default=""),
    Column("programme_goal", String(60), nullable=False, default=""),
    Column("target_on", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("reached_at", UTCDateTime, nullable=True),
    UniqueConstraint("relationship_id", "number", name="uq_goals_number"),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("author_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("support", Integer, nullable=False),
    Column("challenge", Integer, nullable=False),
    Column("safety", Integer, nullable=False),
    Column("quadrant", String(20), nullable=False),
    Column("shared", Boolean, nullable=False, default=False),
    Column("at", UTCDateTime, nullable=False),
)

closing_reflections = Table(
    "closing_reflections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("gained", Text, nullable=False, default=""),
    Column("next_steps", Text, nullable=False, default=""),
    Column("thanks", Text, nullable=False, default=""),
    Column("written_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("relationship_id", "person_id", name="uq_closing_reflections_member"),
)

network_entries = Table(
    "network_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("guide_name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

network_asks = Table(
    "network_asks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("gap_kind", String(20), nullable=False),
    Column("ask", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("asked_of", String(200), nullable=False, default="", server_default=""),  # whom they will ask
)

announcements = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author_id", ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("audience", JSONValue, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("send_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("recipient_count", Integer, nullable=False, default=0),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("payload", JSONValue, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("channel", String(20), nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("priority", Integer, nullable=False, default=50),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=False, default=""),
    Column("relationship_id", ForeignKey("relationships.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    # the dispatcher's claim: every state change after a claim is guarded by this token (not mapped)
    Column("claim_token", String(40), nullable=True),
    Index("ix_deliveries_status_due", "status", "due_at"),
    Index("ix_deliveries_status_priority_due", "status", "priority", "due_at"),
)

# The platforms' workspace-wide send rate, shared by every ``serve`` process on this database: the time
# (Unix seconds) from which the next block of send slots is free (``storage.scheduling.reserve_slots``).
send_pacing = Table(
    "send_pacing",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("next_at", Float, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor_id", ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("action", String(80), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("outcome", String(20), nullable=False, default="ok"),
    Column("detail", JSONValue, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("flow", String(60), nullable=False),
    Column("step", String(60), nullable=False),
    Column("data", JSONValue, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=True),
)

# Inbound platform events already handled (Slack event_id, Teams activity id): a retried event is a no-op.
processed_events = Table(
    "processed_events",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
)

# Multi-workspace Slack installs (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET). slack_sdk's SQLAlchemy installation
# and OAuth state stores read and write these tables; their shape is slack_sdk's (3.x), kept here so that
# our migrations create them like every other table. tests/slack/test_oauth.py runs the stores against them.
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

slack_bots = Table(
    "slack_bots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)


# e-mail links that have done their action (links act once; see bot/email_links.py)
email_links = Table(
    "email_links",
    metadata,
    Column("link_id", String(64), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("action", String(200), nullable=False),
    Column("used_at", UTCDateTime, nullable=False),
)
