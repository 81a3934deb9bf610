"""Texts per language: ticket reasons, text modules and a channel's language, chosen by the merchant."""
import html as html_lib

import pytest
from flask_babel import force_locale, gettext

from portal.models import AuditEntry, Channel, TextModule, TicketReason
from portal.tickets import text_modules as module_admin

pytestmark = pytest.mark.db

REASONS = "/merchant-admin/ticket-reasons"
NEW_MODULE = "/merchant-admin/text-modules/new"


def first_reason(db) -> TicketReason:
    return db.session.scalars(db.select(TicketReason).order_by(TicketReason.position)).first()


def test_a_reason_gets_its_label_per_language_and_shoppers_read_theirs(admin_client, post, db, factory, sign_in):
    reason = first_reason(db)
    url = f"{REASONS}/{reason.id}"
    page = admin_client.get(url).get_data(as_text=True)
    # The store's default (pt_BR) is the main label; every other language gets its own, optional, field.
    assert 'name="label_cs"' in page and 'name="label_de"' in page and 'name="label_pt_BR"' not in page
    assert post(admin_client, url, {"label": reason.label, "label_cs": "  Kde je   moje objednávka? ",
                                    "label_de": "Wo ist meine Bestellung?", "label_fr": ""}).status_code == 302
    db.session.refresh(reason)
    assert reason.labels == {"cs": "Kde je moje objednávka?", "de": "Wo ist meine Bestellung?"}
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="ticket_reason.translate"))
    assert entry is not None and "Wo ist meine Bestellung?" in str(entry.after)
    shopper = factory.user(locale="cs")
    order = factory.order(shopper)
    db.session.commit()
    help_page = sign_in(shopper).get(f"/orders/{order.number}/help").get_data(as_text=True)
    assert "Kde je moje objednávka?" in html_lib.unescape(help_page)
    french = factory.user(locale="fr")
    order = factory.order(french)
    db.session.commit()
    # No French label: the built-in reason, never renamed, reads as the French catalog has it...
    with force_locale("fr"):
        catalog_text = gettext("Where is my order?")
    page = html_lib.unescape(sign_in(french).get(f"/orders/{order.number}/help").get_data(as_text=True))
    assert catalog_text in page
    # ...and once the merchant renames it, the new name is what a language without its own label shows.
    assert post(admin_client, url, {"label": "Cadê meu pedido?", "label_cs": "Kde je moje objednávka?",
                                    "label_de": "Wo ist meine Bestellung?"}).status_code == 302
    page = html_lib.unescape(sign_in(french).get(f"/orders/{order.number}/help").get_data(as_text=True))
    assert "Cadê meu pedido?" in page and catalog_text not in page


def test_a_reason_label_too_long_in_one_language_is_refused_and_nothing_is_saved(admin_client, post, db):
    reason = first_reason(db)
    response = post(admin_client, f"{REASONS}/{reason.id}", {"label": "Novo nome", "label_de": "x" * 201})
    assert response.status_code == 422
    db.session.refresh(reason)
    assert reason.labels is None and reason.label != "Novo nome"


def test_a_module_keeps_a_text_per_language(admin_client, post, db):
    data = {"channel": "all", "title": "Prazo", "body": "Olá {cliente}, seu pedido chega logo.",
            "title_cs": "Termín", "body_cs": "Dobrý den, {cliente}, objednávka brzy dorazí.",
            "title_de": "", "body_de": "Guten Tag {cliente}, die Bestellung kommt bald."}
    assert post(admin_client, NEW_MODULE, data).status_code == 302
    module = db.session.scalar(db.select(TextModule))
    assert module.texts == {"cs": {"title": "Termín", "body": "Dobrý den, {cliente}, objednávka brzy dorazí."},
                            "de": {"title": "", "body": "Guten Tag {cliente}, die Bestellung kommt bald."}}
    assert module.text_in("de") == ("Prazo", "Guten Tag {cliente}, die Bestellung kommt bald.", True)
    assert module.text_in("fr") == ("Prazo", "Olá {cliente}, seu pedido chega logo.", False)
    edit = f"/merchant-admin/text-modules/{module.id}"
    page = admin_client.get(edit).get_data(as_text=True)
    assert "Dobrý den, {cliente}, objednávka brzy dorazí." in html_lib.unescape(page)
    assert post(admin_client, edit, {**data, "title_cs": "", "body_cs": ""}).status_code == 302
    db.session.refresh(module)
    assert set(module.texts) == {"de"}


@pytest.mark.parametrize("extra, field", [({"title_fr": "Délai", "body_fr": ""}, "body_fr"),
                                          ({"body_de": "x" * 5001}, "body_de")])
def test_a_bad_text_in_another_language_is_refused_and_nothing_is_saved(admin_client, post, db, extra, field):
    response = post(admin_client, NEW_MODULE, {"channel": "all", "title": "Prazo", "body": "Olá", **extra})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(TextModule)) is None


def test_a_channel_has_a_language_and_a_bad_one_is_refused(admin_client, post, db, factory):
    channel = factory.channel("kaufland_cz", "Kaufland CZ")
    url = f"/merchant-admin/channels/{channel.id}"
    values = {"name": "Kaufland CZ", "is_marketplace": "y", "sla_hours": "48", "active": "y"}
    assert post(admin_client, url, {**values, "locale": "cs"}).status_code == 302
    assert db.session.get(Channel, channel.id).locale == "cs"
    assert post(admin_client, url, {**values, "locale": "xx"}).status_code == 422
    assert db.session.get(Channel, channel.id).locale == "cs"
    assert post(admin_client, url, {**values, "locale": ""}).status_code == 302
    assert db.session.get(Channel, channel.id).locale is None


def test_a_ticket_is_answered_in_its_channels_language_else_the_customers_else_the_stores(app, db, factory):
    from portal.tickets import lifecycle as tickets

    customer = factory.user(locale="fr")
    channel = factory.channel("kaufland_de", "Kaufland DE")
    reason = first_reason(db)
    on_channel = tickets.open_ticket(factory.order(customer, channel=channel), customer, reason.id, "Wo?", "Wo?")
    on_store = tickets.open_ticket(factory.order(customer), customer, reason.id, "Où ?", "Où ?")
    channel.locale = "de"
    assert module_admin.ticket_language(on_channel) == "de"
    assert module_admin.ticket_language(on_store) == "fr"
    customer.locale = None
    assert module_admin.ticket_language(on_store) == "pt_BR"


def test_the_workspace_offers_the_channels_language_text_by_default(db, factory, sign_in):
    from portal.models import Role
    from portal.tickets import lifecycle as tickets

    customer = factory.user(locale="fr")
    channel = factory.channel("kaufland_de", "Kaufland DE", marketplace=True)
    channel.locale = "de"
    german = {"title": "Lieferzeit", "body": "Guten Tag {cliente}, die Bestellung kommt bald."}
    module = TextModule(title="Prazo", body="Olá {cliente}, seu pedido chega logo.", position=1,
                        texts={"de": german})
    db.session.add(module)
    order = factory.order(customer, channel=channel)
    ticket = tickets.open_ticket(order, customer, first_reason(db).id, "Wo?", "Wo?")
    db.session.commit()
    agent = sign_in(factory.user(role=Role.agent))
    page = html_lib.unescape(agent.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True))
    assert "Guten Tag" in page and 'data-title="Lieferzeit"' in page and "seu pedido chega logo" not in page
    page = html_lib.unescape(agent.get(f"/staff/tickets/{ticket.number}?modules_lang=pt_BR").get_data(as_text=True))
    assert "seu pedido chega logo" in page and "Guten Tag" not in page
