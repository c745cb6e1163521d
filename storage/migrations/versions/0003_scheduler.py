"""scheduler: when the planner next looks at a relationship, and the dispatcher's claim token

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("review_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_relationships_status_review", ["status", "review_at"], unique=False)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=40), nullable=True))
        batch_op.create_index(
            "ix_deliveries_status_priority_due", ["status", "priority", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status_priority_due")
        batch_op.drop_column("claim_token")
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.drop_index("ix_relationships_status_review")
        batch_op.drop_column("review_seq")
        batch_op.drop_column("review_at")
