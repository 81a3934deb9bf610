"""Merchant area: channels with their SLA (hours, working days), audited; bad input saves nothing."""
import pytest

from portal.extensions import db as _db
from portal.models import AuditEntry, Channel, Role

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, the language of the msgids these tests look for."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def admin(factory, login):
    user = factory.user(role=Role.admin)
    login(user)
    return user


def post(client, csrf_from, url, **fields):
    _db.session.commit()
    data = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), **fields}
    return client.post(url, data=data)


def test_list_create_and_edit(client, csrf_from, admin, db):
    assert "loja" in client.get("/merchant-admin/channels").get_data(as_text=True)
    response = post(client, csrf_from, "/merchant-admin/channels/new", code="magalu", name="Magazine Luiza",
                    is_marketplace="y", sla_hours="24", active="y")
    assert response.status_code == 302
    channel = db.session.scalar(db.select(Channel).where(Channel.code == "magalu"))
    assert channel.is_marketplace and channel.sla_hours == 24 and not channel.sla_working_days
    url = f"/merchant-admin/channels/{channel.id}"
    assert post(client, csrf_from, url, name="Magalu", sla_hours="48", sla_working_days="y",
                is_marketplace="y", active="y").status_code == 302
    db.session.refresh(channel)
    assert channel.name == "Magalu" and channel.sla_working_days
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "channel.create" in actions and "channel.update" in actions


@pytest.mark.parametrize("fields", [
    {"code": "Bad Code!", "name": "X", "sla_hours": "24"},
    {"code": "loja", "name": "Dup", "sla_hours": "24"},
    {"code": "novo", "name": "", "sla_hours": "24"},
    {"code": "novo", "name": "X", "sla_hours": "0"},
    {"code": "novo", "name": "X", "sla_hours": "abc"},
])
def test_bad_input_saves_nothing(client, csrf_from, admin, db, fields):
    before = db.session.scalar(db.select(db.func.count(Channel.id)))
    response = post(client, csrf_from, "/merchant-admin/channels/new", **fields)
    assert response.status_code in (409, 422)
    assert db.session.scalar(db.select(db.func.count(Channel.id))) == before


def test_store_channel_cannot_become_a_marketplace(client, csrf_from, admin, db):
    store = db.session.scalar(db.select(Channel).where(Channel.code == Channel.STORE_CODE))
    response = post(client, csrf_from, f"/merchant-admin/channels/{store.id}", name="Loja", sla_hours="48",
                    is_marketplace="y", active="y")
    assert response.status_code == 422
    db.session.refresh(store)
    assert not store.is_marketplace
