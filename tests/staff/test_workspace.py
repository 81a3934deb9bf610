"""The ticket workspace: thread styles, order panel, replies, text modules, and stale versions."""
import re

import pytest

from portal.models import TextModule, TicketStatus, Visibility
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db


def test_workspace_shows_thread_order_panel_and_history(client, login, agent, ticket, db):
    tickets.reply_as_staff(ticket, agent, "Nota interna <script>x</script>", Visibility.internal,
                           expected_version=ticket.version)
    db.session.commit()
    login(agent)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-visibility="internal"' in html and "Internal note" in html
    assert "<script>x" not in html
    assert "data-order-panel" in html and 'data-step="placed"' in html
    assert 'data-event="opened"' in html
    assert "Choose an action" in html and 'name="version"' in html


def test_reply_to_the_customer_sets_waiting_and_is_in_the_history(client, login, agent, ticket, form_of, db):
    login(agent)
    data = {**form_of(ticket.number), "body": "Seu pedido chega amanhã.", "visibility": "customer"}
    response = client.post(f"/staff/tickets/{ticket.number}/reply", data=data)
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.waiting
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert "Seu pedido chega amanhã." in html and 'data-event="message"' in html


def test_marketplace_only_answer(client, login, agent, make_ticket, factory, form_of, db):
    ticket = make_ticket(channel=factory.channel())
    login(agent)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert "No (marketplace only)" in html
    data = {**form_of(ticket.number), "body": "Só para o marketplace", "visibility": "marketplace"}
    assert client.post(f"/staff/tickets/{ticket.number}/reply", data=data).status_code == 302
    assert ticket.messages[-1].visibility is Visibility.marketplace


def test_store_channel_offers_no_marketplace_only_choice(client, login, agent, ticket):
    login(agent)
    assert "No (marketplace only)" not in client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)


def test_empty_reply_rerenders_with_a_message(client, login, agent, ticket, form_of):
    login(agent)
    response = client.post(f"/staff/tickets/{ticket.number}/reply",
                           data={**form_of(ticket.number), "body": "", "visibility": "customer"})
    assert response.status_code == 422
    assert "field--invalid" in response.get_data(as_text=True)
    assert len(ticket.messages) == 1


def test_stale_version_keeps_the_text_and_answers_409(client, login, agent, colleague, ticket, form_of, db):
    login(agent)
    data = {**form_of(ticket.number), "body": "Texto que não pode se perder", "visibility": "customer"}
    tickets.take_ticket(ticket, colleague, expected_version=ticket.version)
    db.session.commit()
    response = client.post(f"/staff/tickets/{ticket.number}/reply", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This ticket changed since you opened it" in html
    assert "Texto que não pode se perder" in html
    db.session.refresh(ticket)
    assert re.search(rf'name="version"[^>]*value="{ticket.version}"', html)
    assert len(ticket.messages) == 1


def test_text_modules_are_filled_and_missing_placeholders_marked(client, login, agent, ticket, db):
    db.session.add_all([
        TextModule(channel_id=ticket.channel_id, title="Prazo", body="Olá {cliente}, pedido {pedido}.", position=1),
        TextModule(channel_id=None, title="Rastreio", body="Código: {rastreio}", position=1),
        TextModule(channel_id=ticket.channel_id, title="Velho", body="x", position=2, retired=True),
    ])
    db.session.commit()
    login(agent)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert f"Olá Joana Lima, pedido {ticket.order.number}." in html
    assert "«{rastreio}»" in html and 'data-missing="rastreio"' in html and "<mark>" in html
    assert 'aria-live="polite" data-module-notice' in html
    assert "Velho" not in html


def test_reply_with_an_unfilled_placeholder_is_refused(client, login, agent, ticket, form_of):
    login(agent)
    data = {**form_of(ticket.number), "body": "Código: «{rastreio}»", "visibility": "customer"}
    response = client.post(f"/staff/tickets/{ticket.number}/reply", data=data)
    assert response.status_code == 422
    assert "«{rastreio}»" in response.get_data(as_text=True)


def test_print_view_has_the_seed_sections(client, login, agent, ticket):
    login(agent)
    html = client.get(f"/staff/orders/{ticket.order.number}/print").get_data(as_text=True)
    for section in ("tracking", "billing", "personal", "items", "financial", "transport", "history"):
        assert f'data-section="{section}"' in html
    assert "staff_print.js" in html and "<script>" not in html


def test_details_action_opens_the_print_view(client, login, agent, ticket, csrf_from):
    login(agent)
    page = client.get(f"/staff/tickets/{ticket.number}?action=details")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'action="/staff/tickets/{ticket.number}/details"' in html
    assert 'data-event="details_viewed"' not in html  # looking at the menu records nothing
    response = client.post(f"/staff/tickets/{ticket.number}/details", data={"csrf_token": csrf_from(html)})
    assert response.headers["Location"].endswith(f"/staff/orders/{ticket.order.number}/print")
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-event="details_viewed"' in html and "Order details viewed" in html
    assert client.post(f"/staff/tickets/{ticket.number}/details").status_code == 400


def test_no_inline_script_or_style(client, login, agent, ticket):
    login(agent)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and " onclick" not in html


def test_the_reply_box_is_labelled(client, login, agent, ticket):
    login(agent)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="reply-body"', html) and 'id="reply-body"' in html
