"""goals: a learner's development goals per relationship, and the goal an action serves

Revision ID: 0008_goals
Revises: 0007_closure
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008_goals"
down_revision: str | None = "0007_closure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("relationship_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("layer", sa.String(length=20), nullable=False),
        sa.Column("programme_goal", sa.String(length=60), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reached_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_goals_owner_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"], ["relationships.id"],
            name=op.f("fk_goals_relationship_id_relationships"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("relationship_id", "number", name="uq_goals_number"),
    )
    op.create_index(op.f("ix_goals_owner_id"), "goals", ["owner_id"], unique=False)
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_action_items_goal_id"), ["goal_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_action_items_goal_id_goals"), "goals", ["goal_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_action_items_goal_id_goals"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_items_goal_id"))
        batch_op.drop_column("goal_id")
    op.drop_index(op.f("ix_goals_owner_id"), table_name="goals")
    op.drop_table("goals")
