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


MARKETPLACE = {"name": "Magazine Luiza", "is_marketplace": "y", "sla_hours": "24", "active": "y"}


@pytest.fixture
def marketplace(db):
    channel = Channel(code="magalu", name="Magazine Luiza", is_marketplace=True, sla_hours=24, sla_working_days=False)
    db.session.add(channel)
    db.session.flush()
    return channel


def test_integrated_channel_keeps_its_outbound_url(client, csrf_from, admin, db, marketplace):
    response = post(client, csrf_from, f"/merchant-admin/channels/{marketplace.id}", **MARKETPLACE,
                    integrated="y", outbound_url="https://hub.example.com/portal/events?x=1")
    assert response.status_code == 302
    db.session.refresh(marketplace)
    assert marketplace.is_integrated and marketplace.outbound_url == "https://hub.example.com/portal/events?x=1"
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "channel.update")).one()
    assert entry.after["integrated"] is True and entry.after["outbound_url"].startswith("https://hub.example.com")


def test_seller_portal_template_is_saved_and_audited(client, csrf_from, admin, db, marketplace):
    template = "https://seller.example.com/pedidos/{order_number}?entrega={delivery_number}"
    response = post(client, csrf_from, f"/merchant-admin/channels/{marketplace.id}", **MARKETPLACE,
                    seller_portal_url=template)
    assert response.status_code == 302
    db.session.refresh(marketplace)
    assert marketplace.seller_portal_url == template and not marketplace.is_integrated
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "channel.update")).one()
    assert entry.after == {"seller_portal_url": template}


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"integrated": "y"}, "outbound_url", "Enter the address the answers are delivered to."),
    ({"integrated": "y", "outbound_url": "http://hub.example.com/events"}, "outbound_url", "Use an https://"),
    ({"integrated": "y", "outbound_url": "https://user:pw@hub.example.com/e"}, "outbound_url", "user name"),
    ({"integrated": "y", "outbound_url": "hub.example.com/events"}, "outbound_url", "Enter a full web address"),
    ({"integrated": "y", "outbound_url": "https://hub.example.com:99999/e"}, "outbound_url", "full web address"),
    ({"integrated": "y", "outbound_url": "javascript:alert(1)"}, "outbound_url", "Enter a full web address"),
    ({"integrated": "y", "outbound_url": "https://hub.example.com/a b"}, "outbound_url", "full web address"),
    ({"integrated": "y", "outbound_url": "https://h.example.com/" + "a" * 2030}, "outbound_url", "2048"),
    ({"seller_portal_url": "https://seller.example.com/pedidos"}, "seller_portal_url", "{delivery_number}"),
    ({"seller_portal_url": "https://seller.example.com/{delivery_number}/{cpf}"}, "seller_portal_url",
     "Unknown placeholder {cpf}"),
    ({"seller_portal_url": "https://seller.example.com/{delivery_number}}"}, "seller_portal_url", "brace"),
    ({"seller_portal_url": "https://{delivery_number}.example.com/"}, "seller_portal_url", "not in the host"),
    ({"seller_portal_url": "http://seller.example.com/{delivery_number}"}, "seller_portal_url", "Use an https://"),
    ({"seller_portal_url": "ftp://seller.example.com/{delivery_number}"}, "seller_portal_url", "full web address"),
])
def test_bad_integration_settings_re_render_in_place(client, csrf_from, admin, db, marketplace, fields, field,
                                                     message):
    response = post(client, csrf_from, f"/merchant-admin/channels/{marketplace.id}", **MARKETPLACE, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = html.split(f'id="{field}-error"', 1)
    assert len(errors) == 2 and message in errors[1].split("</ul>", 1)[0]
    for value in fields.values():
        if value != "y":
            assert f'value="{value}"'.replace("&", "&amp;") in html
    db.session.refresh(marketplace)
    assert marketplace.outbound_url is None and marketplace.seller_portal_url is None
    assert not marketplace.integrated
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_store_channel_cannot_be_integrated(client, csrf_from, admin, db):
    response = post(client, csrf_from, "/merchant-admin/channels/new", code="balcao", name="Balcão",
                    sla_hours="48", active="y", integrated="y", outbound_url="https://hub.example.com/e")
    assert response.status_code == 422
    assert "Only a marketplace can be integrated." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Channel).where(Channel.code == "balcao")) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:8025/events", "http://localhost/events"])
def test_http_is_for_this_machine_outside_production_only(app, client, csrf_from, admin, db, marketplace,
                                                          monkeypatch, url):
    page = f"/merchant-admin/channels/{marketplace.id}"
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    response = post(client, csrf_from, page, **MARKETPLACE, integrated="y", outbound_url=url)
    assert response.status_code == 422
    assert "Use an https:// address" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "PORTAL_ENV", "development")
    assert "outside production http:// is also accepted" in client.get(page).get_data(as_text=True)
    assert post(client, csrf_from, page, **MARKETPLACE, integrated="y", outbound_url=url).status_code == 302
    db.session.refresh(marketplace)
    assert marketplace.outbound_url == url


def test_http_elsewhere_is_refused_even_in_development(client, csrf_from, admin, db, marketplace):
    response = post(client, csrf_from, f"/merchant-admin/channels/{marketplace.id}", **MARKETPLACE,
                    integrated="y", outbound_url="http://10.0.0.5/events")
    assert response.status_code == 422


def test_a_marketplace_channel_turns_the_portals_survey_on_and_off(admin_client, post, db, factory):
    from portal.models import AuditEntry, Channel

    channel = factory.channel("kaufland_fr", "Kaufland FR")
    url = f"/merchant-admin/channels/{channel.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'name="survey_enabled"' in page
    values = {"name": "Kaufland FR", "is_marketplace": "y", "sla_hours": "48", "active": "y"}
    assert post(admin_client, url, {**values, "survey_enabled": "y"}).status_code == 302
    assert db.session.get(Channel, channel.id).survey_enabled is True
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.target == "kaufland_fr")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.after.get("survey_enabled") is True
    assert post(admin_client, url, values).status_code == 302
    assert db.session.get(Channel, channel.id).survey_enabled is False
