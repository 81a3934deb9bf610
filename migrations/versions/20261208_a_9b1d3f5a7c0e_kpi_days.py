"""kpi days: the dashboard's daily rollups; first-response indexes per period, channel and agent for the percentiles

Revision ID: 9b1d3f5a7c0e
Revises: c3d5e7f9a1b2
Create Date: 2026-12-08 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '9b1d3f5a7c0e'
down_revision = 'c3d5e7f9a1b2'
branch_labels = None
depends_on = None

ANSWERED = sa.text('first_response_seconds IS NOT NULL')
COUNTS = ('received', 'answered', 'within_sla', 'closings', 'escalations', 'csat_answers', 'csat_satisfied')


def upgrade():
    op.create_table(
        'kpi_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('channel_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('dim', sa.String(length=6), nullable=False),
        sa.Column('dim_id', sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint('day', 'channel_id', 'dim', 'dim_id', name='pk_kpi_days'),
    )
    op.create_index('ix_kpi_days_dim_day', 'kpi_days', ['dim', 'day'])
    op.drop_index('ix_tickets_first_response', table_name='tickets')
    op.create_index('ix_tickets_first_response', 'tickets', ['first_response_at', 'channel_id'],
                    postgresql_include=['first_response_seconds', 'first_response_by_id'])
    op.create_index('ix_tickets_channel_first_response', 'tickets', ['channel_id', 'first_response_at'],
                    postgresql_include=['first_response_seconds'], postgresql_where=ANSWERED, sqlite_where=ANSWERED)
    op.create_index('ix_tickets_responder_first_response', 'tickets', ['first_response_by_id', 'first_response_at'],
                    postgresql_include=['first_response_seconds', 'channel_id'], postgresql_where=ANSWERED,
                    sqlite_where=ANSWERED)


def downgrade():
    op.drop_index('ix_tickets_responder_first_response', table_name='tickets')
    op.drop_index('ix_tickets_channel_first_response', table_name='tickets')
    op.drop_index('ix_tickets_first_response', table_name='tickets')
    op.create_index('ix_tickets_first_response', 'tickets', ['first_response_at', 'channel_id'])
    op.drop_index('ix_kpi_days_dim_day', table_name='kpi_days')
    op.drop_table('kpi_days')
