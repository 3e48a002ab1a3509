"""staff topics and edit tracking of relayed messages (issue 16)

A forum topic per customer in the staff group (staff_topics), and on ticket_messages what
an edit needs: the chat a copy came from, how a relayed copy was built, its topic.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shop.models

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('created_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shop.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chat_id', 'telegram_user_id', name='uq_staff_topics_chat_customer'),
    sa.UniqueConstraint('chat_id', 'thread_id', name='uq_staff_topics_chat_thread')
    )
    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('layout', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('thread_id', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_ticket_messages_origin', ['origin_chat_id', 'origin_message_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_messages_origin')
        batch_op.drop_column('thread_id')
        batch_op.drop_column('layout')
        batch_op.drop_column('origin_chat_id')
    op.drop_table('staff_topics')
