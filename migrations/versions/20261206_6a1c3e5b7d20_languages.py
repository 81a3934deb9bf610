"""languages: a channel's language, text modules' and ticket reasons' texts per language

Revision ID: 6a1c3e5b7d20
Revises: 4b7d1e9c2f60
Create Date: 2026-12-06 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '6a1c3e5b7d20'
down_revision = '4b7d1e9c2f60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channels') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=10), nullable=True))
    with op.batch_alter_table('text_modules') as batch:
        batch.add_column(sa.Column('texts', sa.JSON(), nullable=True))
    with op.batch_alter_table('ticket_reasons') as batch:
        batch.add_column(sa.Column('labels', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('ticket_reasons') as batch:
        batch.drop_column('labels')
    with op.batch_alter_table('text_modules') as batch:
        batch.drop_column('texts')
    with op.batch_alter_table('channels') as batch:
        batch.drop_column('locale')
