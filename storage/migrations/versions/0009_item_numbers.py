"""item numbers: agenda and action items keep one number per relationship for their whole life;
an agenda item taken off by another member remembers who did it

Existing rows are numbered in the order people saw them: agenda items by position, action items as
they were written.

Revision ID: 0009_item_numbers
Revises: 0008_goals
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_item_numbers"
down_revision: str | None = "0008_goals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _backfill(table: str, order: str) -> None:
    """Number every row 1, 2, 3… within its relationship, in ``order`` (then by id)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, relationship_id FROM {table} ORDER BY relationship_id, {order}, id"))
    counters: dict[int, int] = {}
    numbers = []
    for item_id, relationship_id in rows:
        counters[relationship_id] = counters.get(relationship_id, 0) + 1
        numbers.append({"n": counters[relationship_id], "i": item_id})
    if numbers:
        bind.execute(sa.text(f"UPDATE {table} SET number = :n WHERE id = :i"), numbers)


def upgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removed_by", sa.Integer(), nullable=True))
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    _backfill("agenda_items", "position")
    _backfill("action_items", "created_at")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_agenda_items_number", ["relationship_id", "number"])
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_items_removed_by_people"), "people", ["removed_by"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_action_items_number", ["relationship_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_constraint("uq_action_items_number", type_="unique")
        batch_op.drop_column("number")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_agenda_items_removed_by_people"), type_="foreignkey")
        batch_op.drop_constraint("uq_agenda_items_number", type_="unique")
        batch_op.drop_column("removed_by")
        batch_op.drop_column("number")
