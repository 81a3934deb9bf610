"""users role index: the staff found among many customers by role and name

Revision ID: 6d8f0b2c4e1a
Revises: 5c7e9a1b3d2f
Create Date: 2026-12-09 10:00:00
"""
from alembic import op

revision = '6d8f0b2c4e1a'
down_revision = '5c7e9a1b3d2f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_role_name', 'users', ['role', 'name'])


def downgrade():
    op.drop_index('ix_users_role_name', table_name='users')
