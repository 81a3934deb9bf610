"""order statuses: the built-in "AGUARDANDO APROVAÇÃO DE PREÇO", which orders with a manual price wait in

Revision ID: 9e4c2a7b1d53
Revises: 5d2e8b1c4a90
Create Date: 2026-12-05 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '9e4c2a7b1d53'
down_revision = '5d2e8b1c4a90'
branch_labels = None
depends_on = None

NAME = "AGUARDANDO APROVAÇÃO DE PREÇO"


def upgrade():
    # `flask bootstrap` may have created it already; a deploy that only migrates must have it too.
    connection = op.get_bind()
    exists = connection.execute(sa.text("SELECT 1 FROM order_statuses WHERE name = :name"), {"name": NAME}).first()
    if exists is None:
        statuses = sa.table(
            "order_statuses", sa.column("name", sa.String), sa.column("type", sa.String),
            sa.column("is_builtin", sa.Boolean), sa.column("retired", sa.Boolean),
        )
        op.bulk_insert(statuses, [{"name": NAME, "type": "in_progress", "is_builtin": True, "retired": False}])


def downgrade():
    # Orders may hold the status by now; it stays, as any status that orders use.
    pass
