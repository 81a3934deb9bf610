"""Which language a page speaks: the saved choice, then the browser's, then the store's; money stays in reais."""
import re

import pytest

from portal.models import User
from portal.store import settings as store

pytestmark = pytest.mark.db


def browser(app, accept: str | None = None):
    client = app.test_client()
    if accept:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    return client


def choose(client, lang: str, next_url: str = "/login"):
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/language", data={"lang": lang, "next": next_url, "csrf_token": token})


def sign_in(client, user, password="correct horse 1"):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


def lang_of(client, url="/login") -> str:
    return re.search(r'<html lang="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


@pytest.mark.parametrize("accept, expected", [("cs", "cs"), ("fr-FR,fr;q=0.9", "fr"), ("de-DE", "de"),
                                              ("en-GB", "en"), ("pt-BR", "pt-BR"), ("es", "pt-BR")])
def test_the_browsers_language_is_used_when_nobody_chose(app, db, accept, expected):
    assert lang_of(browser(app, accept)) == expected


def test_the_stores_default_applies_when_the_browser_names_no_language_we_have(app, db):
    store.settings_row().default_locale = "de"
    db.session.commit()
    assert lang_of(browser(app)) == "de"
    assert lang_of(browser(app, "es, it;q=0.5")) == "de"


def test_the_picker_is_in_the_header_for_everyone_and_offers_every_language(app, db):
    html = browser(app, "cs").get("/login").get_data(as_text=True)
    header = html[html.index("<header"):html.index("</header>")]
    assert 'action="/language"' in header and 'for="header-lang"' in header
    for code, name in [("pt_BR", "Português (Brasil)"), ("en", "English"), ("cs", "Čeština"),
                       ("fr", "Français"), ("de", "Deutsch")]:
        assert f'value="{code}"' in header and name in header
    assert 'value="cs" lang="cs" selected' in header


def test_a_visitors_choice_beats_the_browser_for_the_visit(app, db):
    client = browser(app, "de")
    assert choose(client, "fr").status_code == 303
    assert lang_of(client) == "fr"
    assert lang_of(browser(app, "de")) == "de"


def test_a_signed_in_choice_is_saved_on_the_account_and_follows_the_user(app, db, factory):
    user = factory.user()
    db.session.commit()
    first = browser(app, "de")
    sign_in(first, user)
    assert choose(first, "cs", "/orders").headers["Location"] == "/orders"
    assert db.session.get(User, user.id).locale == "cs"
    elsewhere = browser(app, "fr")
    sign_in(elsewhere, user)
    assert lang_of(elsewhere, "/orders") == "cs"


def test_a_language_we_do_not_have_is_refused_and_nothing_is_saved(app, db, factory):
    user = factory.user(locale="de")
    db.session.commit()
    client = browser(app)
    sign_in(client, user)
    response = choose(client, "xx")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "de"


@pytest.mark.parametrize("accept, price", [("de", "49,90\xa0R$"), ("fr", "49,90\xa0R$"), ("cs", "49,90\xa0R$"),
                                           ("en", "R$49.90"), ("pt-BR", "R$\xa049,90")])
def test_money_is_written_the_locales_way_in_the_stores_currency(app, db, factory, accept, price):
    from decimal import Decimal

    customer = factory.user()
    order = factory.order(customer, items=1)
    order.items[0].unit_price, order.items[0].quantity = Decimal("49.90"), 1
    db.session.commit()
    client = browser(app, accept)
    sign_in(client, customer)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert price in html.replace("&nbsp;", "\xa0")


@pytest.mark.parametrize("accept, written", [("de", "24.12.2026"), ("fr", "24 déc. 2026"), ("cs", "24. 12. 2026"),
                                             ("en", "Dec 24, 2026"), ("pt-BR", "24 de dez. de 2026")])
def test_dates_are_written_the_locales_way(app, db, factory, accept, written):
    from datetime import date

    customer = factory.user()
    order = factory.order(customer, expected_delivery_on=date(2026, 12, 24))
    db.session.commit()
    client = browser(app, accept)
    sign_in(client, customer)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True).replace("&nbsp;", "\xa0")
    assert written in html.replace("\xa0", " ").replace("\u202f", " ")
