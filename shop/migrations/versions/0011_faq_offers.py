"""faq offers

The FAQ entries offered as buttons under a customer's question, and the tap that took one, so
that "That helps" under a taken offer's answer takes that asking off the owner's unanswered
list (shop/faq/offers.py, shop/faq/unanswered.py `withdraw`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 20:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('faq_offers',
    sa.Column('turn_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('picked_turn_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['faq_entries.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['picked_turn_id'], ['bot_turns.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['turn_id'], ['bot_turns.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('turn_id', 'entry_id')
    )
    with op.batch_alter_table('faq_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_offers_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_offers_picked_turn_id'), ['picked_turn_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('faq_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_offers_picked_turn_id'))
        batch_op.drop_index(batch_op.f('ix_faq_offers_entry_id'))
    op.drop_table('faq_offers')
