from portal.models import Order, StatusType


def test_builtin_statuses_come_from_the_migration(factory):
    assert factory.status("FINALIZADO").type is StatusType.completed
    assert factory.status("CANCELADO").type is StatusType.cancelled


def test_each_test_starts_from_a_clean_database(factory, db):
    factory.order(number="A-1")
    db.session.commit()
    assert db.session.scalar(db.select(Order).filter_by(number="A-1")) is not None


def test_previous_test_left_nothing_behind(factory, db):
    assert db.session.scalar(db.select(Order).filter_by(number="A-1")) is None
