"""covering indexes for the metrics: orders by time and by customer, order lines by order

The owner metrics read orders by time (window sums, trends, buyers, churn cohorts) and
by customer (per-customer sums over long windows), and order lines by order (baskets).
These indexes hold every column those queries read, so they are answered from the index
alone; each replaces a narrower index with the same leading columns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_orders_created_sales', 'orders',
                    ['created_at', 'status', 'customer_id', 'currency', 'total'])
    op.create_index('ix_orders_customer_sales', 'orders',
                    ['customer_id', 'created_at', 'status', 'currency', 'total'])
    op.create_index('ix_order_items_order_product', 'order_items', ['order_id', 'product_id'])
    op.drop_index('ix_orders_created', table_name='orders')
    op.drop_index('ix_orders_customer_created', table_name='orders')
    op.drop_index('ix_order_items_order_id', table_name='order_items')


def downgrade() -> None:
    op.create_index('ix_order_items_order_id', 'order_items', ['order_id'])
    op.create_index('ix_orders_customer_created', 'orders', ['customer_id', 'created_at'])
    op.create_index('ix_orders_created', 'orders', ['created_at'])
    op.drop_index('ix_order_items_order_product', table_name='order_items')
    op.drop_index('ix_orders_customer_sales', table_name='orders')
    op.drop_index('ix_orders_created_sales', table_name='orders')
