"""canned replies (issue 16)

The team's saved answers, sent to a ticket's customer with /c NAME, their placeholders
filled from the ticket (shop/canned.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 04:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shop.models

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('name = lower(name)', name='ck_canned_replies_name_lower'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('canned_replies')
