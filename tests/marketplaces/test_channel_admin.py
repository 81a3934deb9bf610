"""Merchant area: a marketplace channel's signing secret, shown once, rotated with an overlap, audited."""
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from portal.core.errors import ValidationError
from portal.extensions import db as _db
from portal.marketplaces import channels as channel_admin
from portal.marketplaces import secrets as channel_secrets
from portal.models import AuditEntry, Channel, Role
from portal.models.base import utcnow

pytestmark = pytest.mark.db

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def admin(factory, login):
    user = factory.user(role=Role.admin)
    login(user)
    return user


@pytest.fixture
def channel(db):
    channel = Channel(code="amazon_br", name="Amazon", is_marketplace=True, integrated=True,
                      outbound_url="https://hub.example.com/events")
    db.session.add(channel)
    db.session.flush()
    return channel


def rotate(client, csrf_from, channel, overlap="24", page_html=None):
    """Post the rotation form as the channel page renders it (token and fingerprint included)."""
    _db.session.commit()
    html = page_html or client.get(f"/merchant-admin/channels/{channel.id}").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([^"]*)"', html).group(1)
    return client.post(f"/merchant-admin/channels/{channel.id}/secret",
                       data={"csrf_token": csrf_from(html), "overlap_hours": overlap, "fingerprint": fingerprint})


def test_channel_page_shows_the_webhook_address(client, admin, channel):
    html = client.get(f"/merchant-admin/channels/{channel.id}").get_data(as_text=True)
    assert "http://portal.test/api/v1/channels/amazon_br/events" in html
    assert "Not set yet" in html and "Generate a signing secret" in html


def test_secret_is_shown_once_and_never_again(client, csrf_from, admin, db, channel):
    response = rotate(client, csrf_from, channel)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    db.session.refresh(channel)
    secret = channel.webhook_secret
    assert secret and secret in response.get_data(as_text=True)
    later = client.get(f"/merchant-admin/channels/{channel.id}").get_data(as_text=True)
    assert secret not in later and not SECRET.search(later)
    assert "data-secret-state>Set</dd>" in later and "Rotate the signing secret" in later
    assert secret not in client.get("/merchant-admin/channels").get_data(as_text=True)


def test_rotation_keeps_the_old_secret_during_the_overlap(client, csrf_from, admin, db, channel):
    channel.webhook_secret = "whsec_old_secret_value_that_the_hub_uses"
    response = rotate(client, csrf_from, channel, overlap="72")
    assert response.status_code == 200
    db.session.refresh(channel)
    new = channel.webhook_secret
    assert new != "whsec_old_secret_value_that_the_hub_uses"
    assert channel_secrets.accepted_secrets(channel) == [new, "whsec_old_secret_value_that_the_hub_uses"]
    in_71h = utcnow() + timedelta(hours=71)
    assert "whsec_old_secret_value_that_the_hub_uses" in channel_secrets.accepted_secrets(channel, in_71h)
    assert channel_secrets.accepted_secrets(channel, utcnow() + timedelta(hours=73)) == [new]
    later = client.get(f"/merchant-admin/channels/{channel.id}").get_data(as_text=True)
    assert "data-previous-until" in later and "Still accepted until" in later
    assert "whsec_old_secret_value_that_the_hub_uses" not in later


def test_no_overlap_drops_the_old_secret_at_once(client, csrf_from, admin, db, channel):
    channel.webhook_secret = "whsec_old_secret_value_that_the_hub_uses"
    assert rotate(client, csrf_from, channel, overlap="0").status_code == 200
    db.session.refresh(channel)
    assert channel_secrets.accepted_secrets(channel) == [channel.webhook_secret]
    assert "data-previous-until" not in client.get(f"/merchant-admin/channels/{channel.id}").get_data(as_text=True)


def test_audit_records_the_rotation_without_the_secret(client, csrf_from, admin, db, channel):
    channel.webhook_secret = "whsec_old_secret_value_that_the_hub_uses"
    rotate(client, csrf_from, channel, overlap="1")
    db.session.refresh(channel)
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "channel.secret_rotate")).one()
    assert entry.user_id == admin.id and entry.target == "amazon_br"
    assert entry.after["secret"] == "rotated" and entry.after["overlap_hours"] == 1
    stored = repr(entry.before) + repr(entry.after)
    assert channel.webhook_secret not in stored and "whsec_old" not in stored and not SECRET.search(stored)
    log = client.get("/merchant-admin/audit").get_data(as_text=True)
    assert channel.webhook_secret not in log


def test_posting_the_same_form_twice_does_not_rotate_twice(client, csrf_from, admin, db, channel):
    """A reload re-posts the old fingerprint: refused, so the secret the hub still uses is not dropped."""
    channel.webhook_secret = "whsec_old_secret_value_that_the_hub_uses"
    _db.session.commit()
    page = client.get(f"/merchant-admin/channels/{channel.id}").get_data(as_text=True)
    assert rotate(client, csrf_from, channel, page_html=page).status_code == 200
    db.session.refresh(channel)
    first = channel.webhook_secret
    again = rotate(client, csrf_from, channel, page_html=page)
    assert again.status_code == 409
    assert "rotated meanwhile" in again.get_data(as_text=True)
    db.session.refresh(channel)
    assert channel.webhook_secret == first
    assert channel.previous_webhook_secret == "whsec_old_secret_value_that_the_hub_uses"
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))
                             .where(AuditEntry.action == "channel.secret_rotate")) == 1


@pytest.mark.parametrize("overlap", ["5", "abc", ""])
def test_bad_overlap_rotates_nothing(client, csrf_from, admin, db, channel, overlap):
    response = rotate(client, csrf_from, channel, overlap=overlap)
    assert response.status_code == 422
    db.session.refresh(channel)
    assert channel.webhook_secret is None


def test_rotation_needs_the_csrf_token(client, admin, db, channel):
    _db.session.commit()
    response = client.post(f"/merchant-admin/channels/{channel.id}/secret",
                           data={"overlap_hours": "24", "fingerprint": "none"})
    assert response.status_code in (400, 422)
    db.session.refresh(channel)
    assert channel.webhook_secret is None


def test_the_store_channel_has_no_secret(client, csrf_from, admin, db):
    store = db.session.scalar(db.select(Channel).where(Channel.code == Channel.STORE_CODE))
    assert "data-secret-form" not in client.get(f"/merchant-admin/channels/{store.id}").get_data(as_text=True)
    _db.session.commit()
    html = client.get(f"/merchant-admin/channels/{store.id}").get_data(as_text=True)
    response = client.post(f"/merchant-admin/channels/{store.id}/secret",
                           data={"csrf_token": csrf_from(html), "overlap_hours": "24", "fingerprint": "none"})
    assert response.status_code == 422
    db.session.refresh(store)
    assert store.webhook_secret is None


@pytest.mark.parametrize("role", [Role.agent, Role.operator, Role.customer])
def test_only_admins_reach_the_channel_settings(app, factory, db, channel, csrf_from, monkeypatch, role):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    user = factory.user(role=role)
    client = app.test_client()
    page = client.get("/login")
    client.post("/login", data={"email": user.email, "password": "correct horse 1",
                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert client.get(f"/merchant-admin/channels/{channel.id}").status_code == 403
    assert client.post(f"/merchant-admin/channels/{channel.id}/secret",
                       data={"overlap_hours": "24", "fingerprint": "none"}).status_code == 403
    db.session.refresh(channel)
    assert channel.webhook_secret is None


@pytest.mark.parametrize(("url", "says"), [
    ("https://169.254.169.254/latest/meta-data/", "not an IP address"),
    ("https://10.0.0.5:6379/", "not an IP address"),
    ("https://2130706433/", "not an IP address"),
    ("https://0x7f000001/events", "not an IP address"),
    ("https://0177.0.0.1/events", "not an IP address"),
    ("https://127.1/events", "not an IP address"),
    ("https://hub.0x0a/events", "not an IP address"),
    ("https://[::1]:8080/events", "not an IP address"),
    ("https://[::ffff:10.0.0.5]/events", "not an IP address"),
    ("https://127.0.0.1:8080/events", "not an IP address"),
    ("https://localhost:8080/", "full public host name"),
    ("https://localhost./events", "full public host name"),
    ("https://redis/", "full public host name"),
    ("https://metadata./computeMetadata/v1/", "full public host name"),
    ("https://db.internal/events", "full public host name"),
    ("https://printer.local/events", "full public host name"),
    ("https://admin.localhost/events", "full public host name"),
    ("https://hub@10.0.0.5/events", "user name and password"),
    ("https://hub.example.com:443@10.0.0.5/events", "user name and password"),
])
def test_outbound_urls_to_internal_hosts_are_refused_in_production(app, monkeypatch, url, says):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(ValidationError) as refused:
            channel_admin.check_web_url(url, "outbound_url")
        assert refused.value.field == "outbound_url" and says in str(refused.value.message)


@pytest.mark.parametrize("env", ["production", "development"])
@pytest.mark.parametrize("url", ["https://hub.example.com/portal/events?x=1", "https://api.hub.example.com:8443/e",
                                 "https://hub.example.com./events", "https://1hub.example.com/e"])
def test_a_public_https_host_is_accepted(app, monkeypatch, env, url):
    monkeypatch.setitem(app.config, "PORTAL_ENV", env)
    with app.test_request_context():
        assert channel_admin.check_web_url(url, "outbound_url") == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:8025/events", "https://localhost:8080/events",
                                 "http://localhost/events"])
def test_this_machine_is_still_allowed_outside_production(app, monkeypatch, url):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "development")
    with app.test_request_context():
        assert channel_admin.check_web_url(url, "outbound_url") == url


@pytest.mark.parametrize("url", ["https://10.0.0.5/events", "https://2130706433/", "https://redis/"])
def test_other_internal_hosts_are_refused_outside_production_too(app, monkeypatch, url):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "development")
    with app.test_request_context(), pytest.raises(ValidationError):
        channel_admin.check_web_url(url, "outbound_url")
