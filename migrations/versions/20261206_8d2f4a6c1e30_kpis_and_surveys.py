"""kpis and surveys: the first response on tickets, a channel's survey switch, the satisfaction surveys

Revision ID: 8d2f4a6c1e30
Revises: 6a1c3e5b7d20
Create Date: 2026-12-06 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '8d2f4a6c1e30'
down_revision = '6a1c3e5b7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channels') as batch:
        batch.add_column(sa.Column('survey_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('first_response_seconds', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('first_response_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_tickets_first_response_by_id_users'), 'users', ['first_response_by_id'],
                                 ['id'], ondelete='SET NULL')
        batch.create_index('ix_tickets_created_channel', ['created_at', 'channel_id'])
        batch.create_index('ix_tickets_first_response', ['first_response_at', 'channel_id'])
    op.create_index('ix_ticket_events_kind_created', 'ticket_events', ['kind', 'created_at'])
    op.create_table(
        'ticket_surveys',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='CASCADE'), nullable=False),
        sa.Column('closed_event_id', sa.Integer(), sa.ForeignKey('ticket_events.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('channel_id', sa.Integer(), sa.ForeignKey('channels.id'), nullable=False),
        sa.Column('reason_id', sa.Integer(), sa.ForeignKey('ticket_reasons.id', ondelete='SET NULL'), nullable=True),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('closed_event_id', name=op.f('uq_ticket_surveys_closed_event_id')),
        sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_ticket_surveys_rating')),
    )
    op.create_index('ix_ticket_surveys_ticket_id', 'ticket_surveys', ['ticket_id'])
    op.create_index('ix_ticket_surveys_agent_id', 'ticket_surveys', ['agent_id'])
    op.create_index('ix_ticket_surveys_answered', 'ticket_surveys', ['answered_at', 'channel_id'])


def downgrade():
    op.drop_table('ticket_surveys')
    op.drop_index('ix_ticket_events_kind_created', table_name='ticket_events')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_index('ix_tickets_first_response')
        batch.drop_index('ix_tickets_created_channel')
        batch.drop_constraint(op.f('fk_tickets_first_response_by_id_users'), type_='foreignkey')
        batch.drop_column('first_response_by_id')
        batch.drop_column('first_response_seconds')
        batch.drop_column('first_response_at')
    with op.batch_alter_table('channels') as batch:
        batch.drop_column('survey_enabled')
