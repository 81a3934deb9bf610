"""What the soak found, each pinned down on its own: the database down answers 503, a resent e-mail keeps its
Message-ID, and a dead sender's lease is a setting."""
import logging

import pytest

from portal import create_app
from portal.core import outbox
from portal.core.mail import build_message, message_id
from portal.models import OutboxState

from ..deploy import cluster


@pytest.fixture
def unreachable_database(tmp_path):
    """An app whose database refuses every connection, as a stopped PostgreSQL does."""
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "SERVER_NAME": "portal.test",
                       "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{cluster.free_port()}/x",
                       "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})


def test_a_signed_in_page_answers_503_without_a_traceback_while_the_database_is_down(unreachable_database, caplog):
    client = unreachable_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:some-session-token"  # loading this user needs the database
    with caplog.at_level(logging.WARNING):
        page = client.get("/orders", headers={"Accept-Language": "en"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "Something went wrong on our side" in page.get_data(as_text=True)
    assert [r for r in caplog.records if r.exc_info] == []
    assert any("Database unavailable on GET /orders" in r.getMessage() for r in caplog.records)


def test_the_api_answers_503_in_json_while_the_database_is_down(unreachable_database):
    answer = unreachable_database.test_client().get("/api/v1/orders", headers={"Authorization": "Bearer x"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"]["code"] == "database_unavailable"


def test_any_other_error_is_still_a_500(unreachable_database):
    app = unreachable_database

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("not the database")

    assert app.test_client().get("/boom-for-test").status_code == 500


def test_an_email_has_the_same_message_id_on_every_try(app):
    with app.app_context():
        first = build_message("a@example.com", "Assunto", "Texto", key="ticket:1:reply:2")
        again = build_message("a@example.com", "Assunto", "Texto", key="ticket:1:reply:2")
        other = build_message("a@example.com", "Assunto", "Texto", key="ticket:1:reply:3")
    assert first["Message-ID"] == again["Message-ID"] == message_id("ticket:1:reply:2")
    assert other["Message-ID"] != first["Message-ID"]


@pytest.mark.db
def test_the_outbox_sends_an_email_with_its_keys_message_id(db, smtp):
    outbox.queue_email("test-mail:msgid", "someone@example.com", "Assunto", "Texto")
    db.session.commit()
    (message,) = smtp.inbox.wait_for(1, timeout=5)
    assert message["Message-ID"] == message_id("test-mail:msgid")


@pytest.mark.db
def test_a_dead_senders_row_is_taken_over_after_the_lease_setting(db, app, smtp, items, clock, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 30)
    item = outbox.queue_email("test-mail:lease", "someone@example.com", "Assunto", "Texto")
    assert outbox.claim(item.id)  # its sender was killed after claiming it
    db.session.commit()
    clock.advance(seconds=25)
    assert outbox.sweep() == 0
    clock.advance(seconds=10)
    assert outbox.sweep() == 1
    assert len(smtp.inbox.wait_for(1, timeout=5)) == 1
    assert items()[0].state is OutboxState.delivered
