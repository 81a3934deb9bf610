"""Merchant area: text modules per channel, their order, retiring, the preview and the audit."""
import pytest

from portal.extensions import db as _db
from portal.models import AuditEntry, Role, TextModule

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


def token(client, csrf_from, url="/merchant-admin/text-modules/new"):
    _db.session.commit()
    return csrf_from(client.get(url).get_data(as_text=True))


def create(client, csrf_from, channel="all", title="Prazo", body="Olá {cliente}", **extra):
    data = {"csrf_token": token(client, csrf_from), "channel": channel, "title": title, "body": body, **extra}
    return client.post("/merchant-admin/text-modules/new", data=data)


def test_create_edit_and_audit(client, csrf_from, admin, factory, db):
    channel = factory.channel()
    assert create(client, csrf_from, channel=str(channel.id)).status_code == 302
    module = db.session.scalar(db.select(TextModule))
    assert module.channel_id == channel.id and module.position == 1
    url = f"/merchant-admin/text-modules/{module.id}"
    data = {"csrf_token": token(client, csrf_from, url), "channel": "all", "title": "Prazo 2", "body": "Novo"}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(module)
    assert module.channel_id is None and module.title == "Prazo 2"
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "text_module.create" in actions and "text_module.update" in actions


@pytest.mark.parametrize("fields", [{"title": ""}, {"body": ""}, {"channel": "999999"}, {"title": "x" * 121}])
def test_bad_input_rerenders_and_saves_nothing(client, csrf_from, admin, db, fields):
    response = create(client, csrf_from, **fields)
    assert response.status_code == 422
    assert db.session.scalar(db.select(TextModule)) is None


def test_order_and_retire(client, csrf_from, admin, db):
    create(client, csrf_from, title="A")
    create(client, csrf_from, title="B")
    first, second = db.session.scalars(db.select(TextModule).order_by(TextModule.position)).all()
    page = client.get("/merchant-admin/text-modules").get_data(as_text=True)
    csrf = csrf_from(page)
    client.post(f"/merchant-admin/text-modules/{second.id}/move", data={"csrf_token": csrf, "direction": "up"})
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.position < first.position
    assert client.post(f"/merchant-admin/text-modules/{first.id}/move",
                       data={"csrf_token": csrf, "direction": "sideways"}).status_code == 400
    client.post(f"/merchant-admin/text-modules/{first.id}/retire", data={"csrf_token": csrf, "retired": "1"})
    db.session.refresh(first)
    assert first.retired
    assert "Retired" in client.get("/merchant-admin/text-modules").get_data(as_text=True)


def test_preview_fills_placeholders_from_a_sample_order(client, csrf_from, admin, factory, db):
    channel = factory.channel()
    order = factory.order(factory.user(name="Carla Dias"), channel=channel)
    data = {"csrf_token": token(client, csrf_from), "channel": str(channel.id), "title": "T",
            "body": "Olá {cliente}, pedido {pedido}, rastreio {rastreio}", "preview": "1"}
    response = client.post("/merchant-admin/text-modules/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Olá Carla Dias, pedido {order.number}" in html
    assert "<mark>«{rastreio}»</mark>" in html and "data-preview-missing" in html
    assert db.session.scalar(db.select(TextModule)) is None
