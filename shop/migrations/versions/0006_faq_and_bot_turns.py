"""faq entries, unanswered questions and bot turns (issue 15)

The shop's own answers (ARCHITECTURE.md §11), the questions nobody could answer yet,
and a log of the customer messages the bot answered (intent, FAQ entry and score,
helpfulness) for the support metrics.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:48:03.238749
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shop.models

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('faq_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('variants', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('tags', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('language', 'question', name='uq_faq_entries_language_question')
    )
    op.create_table('faq_unanswered',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('normalised', sa.String(length=300), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_asked_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_asked_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
    sa.Column('answered_by_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_entry_id'], ['faq_entries.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('faq_unanswered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_unanswered_answered_by_entry_id'),
                              ['answered_by_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_unanswered_last_asked_at'), ['last_asked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_unanswered_normalised'), ['normalised'], unique=False)

    op.create_table('bot_turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('intent', sa.String(length=64), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('faq_entry_id', sa.Integer(), nullable=True),
    sa.Column('faq_score', sa.Float(), nullable=True),
    sa.Column('helpful', sa.Boolean(), nullable=True),
    sa.Column('unanswered_id', sa.Integer(), nullable=True),
    sa.Column('created_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['faq_entry_id'], ['faq_entries.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unanswered_id'], ['faq_unanswered.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bot_turns', schema=None) as batch_op:
        batch_op.create_index('ix_bot_turns_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bot_turns_faq_entry_id'), ['faq_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bot_turns_unanswered_id'), ['unanswered_id'], unique=False)
        batch_op.create_index('ix_bot_turns_user_created', ['telegram_user_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bot_turns', schema=None) as batch_op:
        batch_op.drop_index('ix_bot_turns_user_created')
        batch_op.drop_index(batch_op.f('ix_bot_turns_unanswered_id'))
        batch_op.drop_index(batch_op.f('ix_bot_turns_faq_entry_id'))
        batch_op.drop_index('ix_bot_turns_created')

    op.drop_table('bot_turns')
    with op.batch_alter_table('faq_unanswered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_unanswered_normalised'))
        batch_op.drop_index(batch_op.f('ix_faq_unanswered_last_asked_at'))
        batch_op.drop_index(batch_op.f('ix_faq_unanswered_answered_by_entry_id'))

    op.drop_table('faq_unanswered')
    op.drop_table('faq_entries')
