"""all orders: indexes that let every filter and sort of the call centre's list start in order

Revision ID: 3c1f9a2e7d10
Revises: 766f804a7d41
Create Date: 2026-12-04 22:40:00

The status and placed-by indexes gain placed_at, so that a filter on either walks its own rows newest first;
channel (alone and with the status), and the total (for sorting by it) get their own.
"""
from alembic import op


revision = '3c1f9a2e7d10'
down_revision = '766f804a7d41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status')
        batch_op.drop_index('ix_orders_placed_by_email')
        batch_op.create_index('ix_orders_status', ['status_id', 'placed_at'], unique=False)
        batch_op.create_index('ix_orders_placed_by_email', ['placed_by_email', 'placed_at'], unique=False)
        batch_op.create_index('ix_orders_channel_placed', ['channel_id', 'placed_at'], unique=False)
        batch_op.create_index('ix_orders_channel_status_placed', ['channel_id', 'status_id', 'placed_at'],
                              unique=False)
        batch_op.create_index('ix_orders_total', ['total', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_total')
        batch_op.drop_index('ix_orders_channel_status_placed')
        batch_op.drop_index('ix_orders_channel_placed')
        batch_op.drop_index('ix_orders_placed_by_email')
        batch_op.drop_index('ix_orders_status')
        batch_op.create_index('ix_orders_placed_by_email', ['placed_by_email'], unique=False)
        batch_op.create_index('ix_orders_status', ['status_id'], unique=False)
