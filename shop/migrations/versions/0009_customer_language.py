"""the reply language of each Telegram account (issue 17)

The language the assistant answers a user in, and where it came from: their Telegram
setting, the language they wrote in, or their own choice with /language (shop/language.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 04:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('telegram_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('language_source', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('telegram_accounts', schema=None) as batch_op:
        batch_op.drop_column('language_source')
        batch_op.drop_column('reply_language')
