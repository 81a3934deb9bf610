"""inbound mail: e-mail replies posted to tickets or kept aside, and the ticket a late reply continues

Revision ID: c3d5e7f9a1b2
Revises: e5f7a9b1c3d4
Create Date: 2026-12-07 11:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3d5e7f9a1b2'
down_revision = 'e5f7a9b1c3d4'
branch_labels = None
depends_on = None

REASONS = ('no_token', 'unknown_sender', 'auto_reply', 'bounce', 'loop', 'too_large', 'no_text', 'malformed', 'error')


def upgrade():
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('previous_ticket_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_tickets_previous_ticket_id_tickets'), 'tickets',
                                 ['previous_ticket_id'], ['id'], ondelete='SET NULL')
        batch.create_index(batch.f('ix_tickets_previous_ticket_id'), ['previous_ticket_id'])
    op.create_table(
        'inbound_mails',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.String(255), nullable=False),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sender', sa.String(254), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('subject', sa.String(300), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('headers', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('state', sa.Enum('posted', 'kept', 'discarded', name='inboundstate', native_enum=False, length=20),
                  nullable=False),
        sa.Column('reason', sa.Enum(*REASONS, name='keptreason', native_enum=False, length=30), nullable=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='SET NULL'), nullable=True),
        sa.Column('ticket_message_id', sa.Integer(), sa.ForeignKey('ticket_messages.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('refused_attachments', sa.JSON(), nullable=True),
        sa.Column('discarded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('discarded_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.UniqueConstraint('message_id'),
    )
    op.create_index('ix_inbound_mails_state_received', 'inbound_mails', ['state', 'received_at', 'id'])
    op.create_index('ix_inbound_mails_ticket_sender_received', 'inbound_mails', ['ticket_id', 'sender', 'received_at'])
    op.create_index(op.f('ix_inbound_mails_ticket_message_id'), 'inbound_mails', ['ticket_message_id'])


def downgrade():
    op.drop_index(op.f('ix_inbound_mails_ticket_message_id'), table_name='inbound_mails')
    op.drop_index('ix_inbound_mails_ticket_sender_received', table_name='inbound_mails')
    op.drop_index('ix_inbound_mails_state_received', table_name='inbound_mails')
    op.drop_table('inbound_mails')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_index(batch.f('ix_tickets_previous_ticket_id'))
        batch.drop_constraint(batch.f('fk_tickets_previous_ticket_id_tickets'), type_='foreignkey')
        batch.drop_column('previous_ticket_id')
