"""audit entries: an index on the target, so that an order's or a customer's audit is found without a scan

Revision ID: 5d2e8b1c4a90
Revises: 3c1f9a2e7d10
Create Date: 2026-12-05 12:00:00
"""
from alembic import op


revision = '5d2e8b1c4a90'
down_revision = '3c1f9a2e7d10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_target_created', ['target', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_target_created')
