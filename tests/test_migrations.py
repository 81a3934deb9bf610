"""The migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db as _db


def test_models_and_migrations_agree(app, db):
    with _db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), _db.metadata)
    assert diff == []


def test_migrating_alone_gives_every_built_in_status_with_its_type(db):
    """A deploy that runs only `flask db upgrade` (no bootstrap) can take manual-price orders."""
    from portal.models import BUILTIN_STATUSES, OrderStatus
    from portal.models.statuses import PRICE_APPROVAL, StatusType

    found = {status.name: status for status in db.session.scalars(db.select(OrderStatus))}
    for name, type_ in BUILTIN_STATUSES:
        assert name in found and found[name].type is type_ and found[name].is_builtin, name
    assert found[PRICE_APPROVAL].type is StatusType.in_progress
