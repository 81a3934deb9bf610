"""tickets: on PostgreSQL, each queue filter's index carries the other filters' columns (index-only counts)

Revision ID: 8f1b2d4e6a3c
Revises: 7e9a1c3d5f2b
Create Date: 2026-12-10 11:00:00
"""
from alembic import op

revision = '8f1b2d4e6a3c'
down_revision = '7e9a1c3d5f2b'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_tickets_status_channel_due': (['status', 'channel_id', 'due_at', 'id'],
                                      ['reason_id', 'assignee_id', 'created_at']),
    'ix_tickets_assignee_status_due': (['assignee_id', 'status', 'due_at', 'id'],
                                       ['channel_id', 'reason_id', 'created_at']),
    'ix_tickets_reason_status_due': (['reason_id', 'status', 'due_at', 'id'],
                                     ['channel_id', 'assignee_id', 'created_at']),
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite has no INCLUDE; its indexes stay as they are
    for name, (columns, included) in INDEXES.items():
        op.drop_index(name, table_name='tickets')
        op.create_index(name, 'tickets', columns, postgresql_include=included)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, (columns, _included) in INDEXES.items():
        op.drop_index(name, table_name='tickets')
        op.create_index(name, 'tickets', columns)
