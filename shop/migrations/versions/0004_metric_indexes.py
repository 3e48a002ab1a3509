"""indexes for the metrics: orders by delivery date, customers by sign-up date

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:25:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_orders_delivered', 'orders', ['delivered_at'])
    op.create_index('ix_customers_created_at', 'customers', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_customers_created_at', table_name='customers')
    op.drop_index('ix_orders_delivered', table_name='orders')
