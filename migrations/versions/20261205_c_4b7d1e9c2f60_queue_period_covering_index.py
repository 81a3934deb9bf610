"""tickets: on PostgreSQL, the period index carries the other filters' columns (index-only counts)

Revision ID: 4b7d1e9c2f60
Revises: 9e4c2a7b1d53
Create Date: 2026-12-05 17:00:00
"""
from alembic import op

revision = '4b7d1e9c2f60'
down_revision = '9e4c2a7b1d53'
branch_labels = None
depends_on = None

COLUMNS = ['status', 'created_at', 'id']
INCLUDED = ['channel_id', 'reason_id', 'assignee_id', 'due_at']


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite has no INCLUDE; its index stays as it is
    op.drop_index('ix_tickets_status_created', table_name='tickets')
    op.create_index('ix_tickets_status_created', 'tickets', COLUMNS, postgresql_include=INCLUDED)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_tickets_status_created', table_name='tickets')
    op.create_index('ix_tickets_status_created', 'tickets', COLUMNS)
