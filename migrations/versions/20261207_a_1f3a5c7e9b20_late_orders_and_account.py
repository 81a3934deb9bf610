"""late orders, the carrier's delivery, address versions and defaults, e-mail changes, account settings

Revision ID: 1f3a5c7e9b20
Revises: 8d2f4a6c1e30
Create Date: 2026-12-07 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '1f3a5c7e9b20'
down_revision = '8d2f4a6c1e30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('late_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('late_reason', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('late_notified_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('carrier_delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('address_version', sa.Integer(), server_default='1', nullable=False))
        batch.create_index('ix_orders_late_since', ['late_since'])
        batch.create_index('ix_orders_carrier_delivered', ['carrier_delivered_at'])
    with op.batch_alter_table('customer_addresses') as batch:
        batch.add_column(sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('store_settings') as batch:
        batch.add_column(sa.Column('late_quiet_days', sa.Integer(), server_default='3', nullable=False))
        batch.add_column(sa.Column('late_opens_ticket', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('late_emails_shopper', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('account_pages_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'email_changes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('new_email', sa.String(length=254), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('token_hash', name=op.f('uq_email_changes_token_hash')),
    )
    op.create_index(op.f('ix_email_changes_user_id'), 'email_changes', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_email_changes_user_id'), table_name='email_changes')
    op.drop_table('email_changes')
    with op.batch_alter_table('store_settings') as batch:
        for name in ('account_pages_enabled', 'late_emails_shopper', 'late_opens_ticket', 'late_quiet_days'):
            batch.drop_column(name)
    with op.batch_alter_table('customer_addresses') as batch:
        batch.drop_column('version')
        batch.drop_column('is_default')
    with op.batch_alter_table('orders') as batch:
        batch.drop_index('ix_orders_carrier_delivered')
        batch.drop_index('ix_orders_late_since')
        for name in ('address_version', 'carrier_delivered_at', 'late_notified_at', 'late_reason', 'late_since'):
            batch.drop_column(name)
