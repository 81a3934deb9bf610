"""The shopper's order list and order page: timeline, tracking actions, contents, permissions, query counts."""
import re
from pathlib import Path

import pytest

from portal.models import Role, StatusType, StoreSettings

pytestmark = pytest.mark.db

CORREIOS_CODE = "AA123456785BR"
TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"


def steps_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="([a-z]+)" data-state="([a-z]+)"', html))


@pytest.fixture
def shopper(factory, login):
    user = factory.user(name="Joana Lima")
    login(user)
    return user


def test_root_redirects_to_orders_or_login(client, factory, login):
    assert client.get("/").headers["Location"].startswith("/login")
    login(factory.user())
    assert client.get("/").headers["Location"] == "/orders"


def test_empty_order_list(client, shopper):
    html = client.get("/orders").get_data(as_text=True)
    assert "You have no orders yet" in html
    assert "Joana Lima" in html


def test_order_list_shows_own_orders_newest_first_with_links(client, shopper, factory):
    other = factory.order(number="999001")
    older = factory.order(shopper, number="500001")
    newer = factory.order(shopper, number="500002", status="FINALIZADO", channel=factory.channel())
    html = client.get("/orders").get_data(as_text=True)
    assert html.index('href="/orders/500002"') < html.index('href="/orders/500001"')
    assert other.number not in html
    assert "Mercado Livre" in html and "FINALIZADO" in html and "badge--completed" in html
    assert older.status.name in html and newer.number in html


def test_order_list_is_paginated(client, shopper, factory, app):
    per_page = app.config["ORDERS_PER_PAGE"]
    for _ in range(per_page + 3):
        factory.order(shopper, items=1)
    first = client.get("/orders").get_data(as_text=True)
    second = client.get("/orders?page=2").get_data(as_text=True)
    assert first.count('data-order="') == per_page
    assert second.count('data-order="') == 3
    assert 'rel="next"' in first and 'rel="prev"' in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "3", "99999999999999999999", "1e3"])
def test_bad_page_numbers_are_404_not_500(client, shopper, factory, page):
    factory.order(shopper)
    assert client.get(f"/orders?page={page}").status_code == 404


def _order_html(client, order):
    response = client.get(f"/orders/{order.number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_placed_only(client, shopper, factory):
    html = _order_html(client, factory.order(shopper))
    assert steps_of(html) == {"placed": "done", "paid": "current", "shipped": "pending", "delivered": "pending"}
    assert re.search(r'data-step="paid" data-state="current" aria-current="step"', html)
    assert html.count('aria-current="step"') == 1
    assert "data-tracking=" not in html and "Nota fiscal" not in html and "timeline__invoice" not in html


def test_paid_with_invoice_link(client, shopper, factory):
    order = factory.order(shopper, status="A ENVIAR", paid=True, invoice_url="https://nfe.example.com/n/1")
    html = _order_html(client, order)
    assert steps_of(html) == {"placed": "done", "paid": "done", "shipped": "current", "delivered": "pending"}
    assert re.search(r'<a class="timeline__invoice" href="https://nfe.example.com/n/1" target="_blank" '
                     r'rel="noopener noreferrer"', html)


def test_invoice_link_with_a_dangerous_scheme_is_not_a_link(client, shopper, factory):
    order = factory.order(shopper, paid=True, invoice_url="javascript:alert(1)")
    assert "javascript:" not in _order_html(client, order)


def shipped(factory, shopper, code, status="ENVIADO"):
    return factory.order(shopper, status=status, paid=True, shipped=True, shipping_code=code)


def test_shipped_with_correios_code(client, shopper, factory):
    order = shipped(factory, shopper, CORREIOS_CODE)
    html = _order_html(client, order)
    assert steps_of(html) == {"placed": "done", "paid": "done", "shipped": "done", "delivered": "current"}
    assert re.search(r'<a [^>]*data-tracking="correios"\s+href="/orders/' + order.number + '/tracking"', html)
    assert '<dialog id="tracking-dialog"' in html
    assert ">Track</a>" in html
    assert re.search(r'<script src="/static/js/tracking.js[^"]*" defer></script>', html)


def test_shipped_with_trusted_link_embeds(client, shopper, factory):
    factory.trusted_host("track.example.com")
    factory.trusted_host("other.example.org")
    order = shipped(factory, shopper, "https://track.example.com/t?id=1")
    response = client.get(f"/orders/{order.number}")
    html = response.get_data(as_text=True)
    assert re.search(r'data-tracking="embed"\s+href="/orders/' + order.number + '/tracking"', html)
    assert 'id="tracking-frame"' in html
    assert frame_src(response) == "https://other.example.org https://track.example.com"


def test_shipped_with_untrusted_link_opens_a_new_tab(client, shopper, factory):
    order = shipped(factory, shopper, "https://carrier.example.net/t/123")
    response = client.get(f"/orders/{order.number}")
    html = response.get_data(as_text=True)
    link = re.search(r'<a [^>]*data-tracking="new_tab"[^>]*>', html).group(0)
    assert 'href="https://carrier.example.net/t/123"' in link
    assert 'target="_blank"' in link and 'rel="noopener noreferrer"' in link
    assert 'aria-describedby="new-tab-hint"' in link and 'id="new-tab-hint"' in html
    assert frame_src(response) == "'none'"


def test_shipped_with_unknown_code_shows_text_only(client, shopper, factory):
    html = _order_html(client, shipped(factory, shopper, "XYZ-123"))
    assert '<span class="code" data-tracking="none">XYZ-123</span>' in html
    assert ">Track<" not in html


def test_user_text_is_escaped(client, shopper, factory):
    html = _order_html(client, shipped(factory, shopper, '<img src=x onerror="alert(1)">'))
    assert "<img src=x" not in html and "&lt;img src=x" in html


@pytest.mark.parametrize("status_name, status_type", [
    ("FINALIZADO", None), ("ENTREGUE NO LOCAL", StatusType.completed),
])
def test_delivered(client, shopper, factory, status_name, status_type):
    if status_type:
        factory.status(status_name, status_type)
    order = shipped(factory, shopper, CORREIOS_CODE, status=status_name)
    html = _order_html(client, order)
    assert steps_of(html) == {"placed": "done", "paid": "done", "shipped": "done", "delivered": "done"}
    assert 'aria-current="step"' not in html


def test_delivered_status_without_shipping_facts_still_completes_the_timeline(client, shopper, factory):
    html = _order_html(client, factory.order(shopper, status="FINALIZADO"))
    assert set(steps_of(html).values()) == {"done"}


def test_cancelled(client, shopper, factory):
    html = _order_html(client, factory.order(shopper, status="CANCELADO"))
    assert steps_of(html) == {"placed": "done", "cancelled": "done"}
    assert "badge--cancelled" in html


def test_untyped_additional_status_counts_as_in_progress(client, shopper, factory):
    factory.status("EM SEPARACAO")
    html = _order_html(client, factory.order(shopper, status="EM SEPARACAO", paid=True))
    assert steps_of(html) == {"placed": "done", "paid": "done", "shipped": "current", "delivered": "pending"}
    assert "EM SEPARACAO" in html and "badge--in_progress" in html


def test_order_page_shows_items_totals_payment_addresses_and_channel(client, shopper, factory):
    order = factory.order(shopper, items=3, channel=factory.channel(), marketplace_order_number="MLB-777")
    html = _order_html(client, order)
    assert html.count("<tr data-item>") == 3
    assert "Produto 2" in html and "Pix" in html and "Rua das Flores, 100" in html
    assert "Mercado Livre" in html and "MLB-777" in html
    assert "315,90" in html or "315.90" in html


def _without_request_id(body: dict) -> dict:
    """Drop the per-request id, the one part of an error answer that differs between any two requests."""
    error = dict(body["error"])
    error.pop("request_id", None)
    return {**body, "error": error}


def _masked(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1…"', html)


def test_another_shoppers_order_is_404_like_a_missing_one(client, shopper, factory):
    other = shipped(factory, factory.user(), CORREIOS_CODE)
    for suffix in ("", "/tracking", "/tracking.json"):
        theirs = client.get(f"/orders/{other.number}{suffix}")
        missing = client.get(f"/orders/does-not-exist{suffix}")
        assert theirs.status_code == missing.status_code == 404
        # The page echoes its own path (the language form returns to it) and carries a CSRF token signed with the
        # current second; nothing else may differ.
        assert _masked(theirs.get_data(as_text=True).replace(other.number, "N")) == \
            _masked(missing.get_data(as_text=True).replace("does-not-exist", "N"))
        theirs = client.get(f"/orders/{other.number}{suffix}", headers={"Accept": "application/json"})
        missing = client.get(f"/orders/does-not-exist{suffix}", headers={"Accept": "application/json"})
        assert theirs.status_code == 404
        assert _without_request_id(theirs.get_json()) == _without_request_id(missing.get_json())


def test_staff_reach_any_order_page_but_list_only_their_own(client, factory, login):
    order = factory.order()
    login(factory.user(role=Role.agent))
    assert client.get(f"/orders/{order.number}").status_code == 200
    assert order.number not in client.get("/orders").get_data(as_text=True)


def frame_src(response) -> str:
    csp = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("frame-src"))[10:]


def test_embed_tracking_page_shows_the_sandboxed_frame_and_its_csp(client, shopper, factory):
    factory.trusted_host("track.example.com")
    order = shipped(factory, shopper, "https://track.example.com/t?id=1")
    response = client.get(f"/orders/{order.number}/tracking")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<section id="tracking-frame"[^>]*>\s*<h2[^<]*</h2>\s*<iframe sandbox="allow-scripts '
                     r'allow-same-origin allow-forms allow-popups" referrerpolicy="no-referrer"\s+'
                     r'src="https://track.example.com/t\?id=1" title="[^"]+"', html)
    assert frame_src(response) == "https://track.example.com"
    assert client.get(f"/orders/{order.number}/tracking.json").status_code == 404


def test_the_embedded_carrier_page_always_has_a_way_out_in_a_new_tab(client, shopper, factory):
    factory.trusted_host("track.example.com")
    order = shipped(factory, shopper, "https://track.example.com/t?id=1")
    for url in (f"/orders/{order.number}/tracking", f"/orders/{order.number}"):
        html = client.get(url).get_data(as_text=True)
        frame = re.search(r'<section id="tracking-frame".*?</section>', html, re.S).group(0)
        assert re.search(r'<a href="https://track.example.com/t\?id=1" target="_blank" rel="noopener noreferrer"'
                         r' aria-describedby="new-tab-hint" data-tracking-new-tab>Page not loading\? Open the'
                         r" carrier's page in a new tab", frame), frame


@pytest.mark.parametrize("code", ["https://carrier.example.net/t/1", "XYZ-123", None])
def test_tracking_endpoints_are_404_without_a_correios_or_embed_link(client, shopper, factory, code):
    order = shipped(factory, shopper, code) if code else factory.order(shopper)
    assert client.get(f"/orders/{order.number}/tracking.json").status_code == 404
    assert client.get(f"/orders/{order.number}/tracking").status_code == 404


def test_order_page_query_count_does_not_grow_with_items_or_history(client, shopper, factory, count_queries):
    small = shipped(factory, shopper, CORREIOS_CODE)
    small.items = small.items[:1]
    big = factory.order(shopper, items=30, paid=True, shipped=True, shipping_code=CORREIOS_CODE, status="ENVIADO")
    for name in ("A ENVIAR", "ENVIADO", "A ENVIAR", "ENVIADO"):
        from portal.models import OrderStatusChange

        big.history.append(OrderStatusChange(to_status=factory.status(name), source="test"))
    factory.db.session.flush()
    _order_html(client, small)
    with count_queries() as few:
        _order_html(client, small)
    with count_queries() as many:
        _order_html(client, big)
    assert len(few) == len(many)
    assert len(many) <= 12


def test_order_list_query_count_does_not_grow_with_orders(client, shopper, factory, count_queries):
    client.get("/orders")
    factory.order(shopper)
    with count_queries() as one:
        client.get("/orders")
    for _ in range(24):
        factory.order(shopper, channel=factory.channel())
    with count_queries() as many:
        html = client.get("/orders").get_data(as_text=True)
    assert "Mercado Livre" in html
    assert len(one) == len(many)


def test_theme_css_serves_store_colours_with_readable_text(client, db):
    settings = db.session.get(StoreSettings, 1) or StoreSettings(id=1)
    settings.primary_color, settings.accent_color = "#ffdd00", "#112233"
    db.session.add(settings)
    db.session.flush()
    response = client.get("/theme.css")
    css = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert "--color-primary: #ffdd00;" in css and "--color-on-primary: #000000;" in css
    assert "--color-accent: #112233;" in css and "--color-on-accent: #ffffff;" in css
    # Without the colours' fingerprint (?v=) a browser must ask again before it uses its copy.
    assert "no-cache" in response.headers["Cache-Control"] and response.headers["ETag"]


def test_theme_css_ignores_malformed_colours(client, db):
    settings = db.session.get(StoreSettings, 1) or StoreSettings(id=1)
    settings.primary_color = "red;}"
    db.session.add(settings)
    db.session.flush()
    css = client.get("/theme.css").get_data(as_text=True)
    assert "red" not in css and "--color-primary: #0b5cad;" in css


def test_pages_have_landmarks_skip_link_and_language(client, shopper):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")  # no preference: the pt_BR default
    html = client.get("/orders").get_data(as_text=True)
    assert '<html lang="pt-BR">' in html and "Meus pedidos" in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    assert 'role="status"' in html and 'action="/logout"' in html and 'action="/language"' in html


def test_no_template_uses_the_safe_filter():
    offenders = [str(path) for path in TEMPLATES.rglob("*") if path.is_file()
                 and re.search(r"\|\s*safe\b", path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_no_inline_scripts_styles_or_handlers():
    for path in TEMPLATES.rglob("*.html"):
        if "email" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text), path


def test_a_status_hidden_from_buyers_shows_only_its_type(client, shopper, factory, db):
    hidden = factory.status("AGUARDANDO ESTOQUE DO FORNECEDOR")
    hidden.shown_to_customer = False
    factory.order(shopper, number="700001", status=hidden.name, paid=True)
    for url in ("/orders", "/orders/700001"):
        html = client.get(url).get_data(as_text=True)
        assert "AGUARDANDO ESTOQUE DO FORNECEDOR" not in html, url
        assert "badge--in_progress" in html, url
    assert steps_of(client.get("/orders/700001").get_data(as_text=True))["shipped"] == "current"


def test_dates_are_shown_in_the_store_time_zone_and_follow_its_change(client, shopper, factory, db):
    from datetime import UTC, datetime

    order = factory.order(shopper, placed_at=datetime(2026, 11, 3, 1, 30, tzinfo=UTC))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    assert '<time datetime="2026-11-03T01:30:00+00:00">02/11/2026 22:30</time>' in _order_html(client, order)
    assert ">2 de nov. de 2026</time>" in client.get("/orders").get_data(as_text=True)

    settings = StoreSettings.get()
    settings.timezone = "Asia/Tokyo"
    db.session.add(settings)
    db.session.commit()
    assert '<time datetime="2026-11-03T01:30:00+00:00">03/11/2026 10:30</time>' in _order_html(client, order)
    assert ">3 de nov. de 2026</time>" in client.get("/orders").get_data(as_text=True)


def test_invoice_link_reads_invoice_in_english(client, shopper, factory):
    order = factory.order(shopper, status="A ENVIAR", paid=True, invoice_url="https://nfe.example.com/n/2")
    html = _order_html(client, order)
    assert re.search(r'<a class="timeline__invoice"[^>]*>Invoice<', html)
    assert "Nota fiscal" not in html


def test_an_order_without_items_shows_an_empty_state_instead_of_a_table(client, shopper, factory):
    html = _order_html(client, factory.order(shopper, items=0))
    assert "This order has no items." in html and "data-no-items" in html
    assert '<table class="items">' not in html
    assert '<table class="items">' in _order_html(client, factory.order(shopper, items=1))


def test_a_trusted_host_removed_or_added_counts_on_the_next_page_view(client, shopper, factory, db):
    """The trusted hosts are kept per process (store/lookups.py); a change is seen by the very next page."""
    from portal.models import TrustedHost

    host = factory.trusted_host("track.example.com")
    order = shipped(factory, shopper, "https://track.example.com/t?id=1")
    db.session.commit()
    assert 'data-tracking="embed"' in client.get(f"/orders/{order.number}").get_data(as_text=True)
    db.session.delete(host)
    db.session.commit()
    response = client.get(f"/orders/{order.number}")
    assert 'data-tracking="new_tab"' in response.get_data(as_text=True) and frame_src(response) == "'none'"
    db.session.add(TrustedHost(host="track.example.com"))
    db.session.commit()
    response = client.get(f"/orders/{order.number}")
    assert 'data-tracking="embed"' in response.get_data(as_text=True)
    assert frame_src(response) == "https://track.example.com"
