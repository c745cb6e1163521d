"""closure: when a relationship ended, and each member's closing reflection

Revision ID: 0007_closure
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007_closure"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "closing_reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("relationship_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("gained", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("thanks", sa.Text(), nullable=False),
        sa.Column("written_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"],
            name=op.f("fk_closing_reflections_person_id_people"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["relationship_id"], ["relationships.id"],
            name=op.f("fk_closing_reflections_relationship_id_relationships"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closing_reflections")),
        sa.UniqueConstraint("relationship_id", "person_id", name="uq_closing_reflections_member"),
    )
    op.create_index(
        op.f("ix_closing_reflections_person_id"), "closing_reflections", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_closing_reflections_person_id"), table_name="closing_reflections")
    op.drop_table("closing_reflections")
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.drop_column("ended_at")
