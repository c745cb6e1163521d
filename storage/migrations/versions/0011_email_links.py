"""email: the channel a person chose, and the e-mail links already used (links act once)

Revision ID: 0011_email_links
Revises: 0010_send_pacing
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011_email_links"
down_revision: str | None = "0010_send_pacing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=False, server_default=""))
    op.create_table(
        "email_links",
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_email_links_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_email_links")),
    )
    op.create_index(op.f("ix_email_links_person_id"), "email_links", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_email_links_person_id"), table_name="email_links")
    op.drop_table("email_links")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("channel")
