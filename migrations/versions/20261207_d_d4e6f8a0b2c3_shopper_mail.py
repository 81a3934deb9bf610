"""shopper mail: the merchant's switch per e-mail event, the shopper's order-mail unsubscribe

Revision ID: d4e6f8a0b2c3
Revises: 2e4b6d8f0a31
Create Date: 2026-12-07 11:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd4e6f8a0b2c3'
down_revision = '2e4b6d8f0a31'
branch_labels = None
depends_on = None

SWITCHES = ('mail_ticket_received', 'mail_ticket_closed', 'mail_order_shipped', 'mail_order_delivered',
            'mail_order_cancelled')


def upgrade():
    with op.batch_alter_table('store_settings') as batch:
        for name in SWITCHES:
            batch.add_column(sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('order_mail_off', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('order_mail_off')
    with op.batch_alter_table('store_settings') as batch:
        for name in reversed(SWITCHES):
            batch.drop_column(name)
