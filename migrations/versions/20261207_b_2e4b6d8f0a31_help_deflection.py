"""help deflection: what the shopper was shown before opening a ticket, and whether it resolved

Revision ID: 2e4b6d8f0a31
Revises: 1f3a5c7e9b20
Create Date: 2026-12-07 09:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '2e4b6d8f0a31'
down_revision = '1f3a5c7e9b20'
branch_labels = None
depends_on = None

DELIVERY_REASON = 'onde_esta_meu_pedido'


def upgrade():
    with op.batch_alter_table('ticket_reasons') as batch:
        batch.add_column(sa.Column('about_delivery', sa.Boolean(), server_default=sa.false(), nullable=False))
    reasons = sa.table('ticket_reasons', sa.column('code', sa.String), sa.column('about_delivery', sa.Boolean))
    op.execute(reasons.update().where(reasons.c.code == DELIVERY_REASON).values(about_delivery=True))
    op.create_table(
        'help_deflections',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False),
        sa.Column('reason_id', sa.Integer(), sa.ForeignKey('ticket_reasons.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('customer_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.Enum('resolved', 'needed_help', name='deflectionoutcome', native_enum=False, length=20),
                  nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='SET NULL'), nullable=True),
        sa.Column('shown', sa.JSON(), nullable=False),
    )
    op.create_index('ix_help_deflections_reason_shown', 'help_deflections', ['reason_id', 'shown_at'])
    op.create_index('ix_help_deflections_shown', 'help_deflections', ['shown_at'])
    op.create_index('ix_help_deflections_customer_order', 'help_deflections', ['customer_id', 'order_id', 'shown_at'])
    op.create_index(op.f('ix_help_deflections_ticket_id'), 'help_deflections', ['ticket_id'])


def downgrade():
    op.drop_index(op.f('ix_help_deflections_ticket_id'), table_name='help_deflections')
    op.drop_index('ix_help_deflections_customer_order', table_name='help_deflections')
    op.drop_index('ix_help_deflections_shown', table_name='help_deflections')
    op.drop_index('ix_help_deflections_reason_shown', table_name='help_deflections')
    op.drop_table('help_deflections')
    with op.batch_alter_table('ticket_reasons') as batch:
        batch.drop_column('about_delivery')
