"""store lists version: a token that changes with every channel, ticket reason or staff account

Revision ID: 7e9a1c3d5f2b
Revises: 6d8f0b2c4e1a
Create Date: 2026-12-10 10:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '7e9a1c3d5f2b'
down_revision = '6d8f0b2c4e1a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('store_settings') as batch:
        batch.add_column(sa.Column('lists_version', sa.String(length=16), nullable=True))
    op.execute(sa.text("UPDATE store_settings SET lists_version = :token").bindparams(token=secrets.token_hex(8)))


def downgrade():
    with op.batch_alter_table('store_settings') as batch:
        batch.drop_column('lists_version')
