"""kpi day percentiles: each stored day's median and p90 first response, per channel and over every channel

Revision ID: 5c7e9a1b3d2f
Revises: 9b1d3f5a7c0e
Create Date: 2026-12-09 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5c7e9a1b3d2f'
down_revision = '9b1d3f5a7c0e'
branch_labels = None
depends_on = None


def upgrade():
    # The stored days have no percentiles yet: the next report or worker run rolls them up again.
    op.execute('DELETE FROM kpi_days')
    with op.batch_alter_table('kpi_days') as batch:
        batch.add_column(sa.Column('fr_median', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('fr_p90', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('kpi_days') as batch:
        batch.drop_column('fr_p90')
        batch.drop_column('fr_median')
