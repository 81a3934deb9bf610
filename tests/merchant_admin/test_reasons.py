"""Merchant area: the ticket reasons shoppers choose from — add, rename, order, retire, audit."""
import pytest

from portal.models import AuditEntry, Role, TicketReason

pytestmark = pytest.mark.db

URL = "/merchant-admin/ticket-reasons"


def labels(db, active_only=False):
    query = db.select(TicketReason.label).order_by(TicketReason.position, TicketReason.id)
    if active_only:
        query = query.where(TicketReason.active.is_(True))
    return list(db.session.scalars(query))


def test_an_added_reason_is_offered_on_the_help_form(admin_client, post, db, factory, sign_in):
    response = post(admin_client, URL, {"label": "  Troca ou   devolução  parcial "})
    assert response.status_code == 302
    reason = db.session.scalar(db.select(TicketReason).where(TicketReason.label == "Troca ou devolução parcial"))
    assert reason.code == "troca_ou_devolucao_parcial" and labels(db)[-1] == "Troca ou devolução parcial"
    assert post(admin_client, URL, {"label": "Troca ou devolução: parcial!"}).status_code == 302
    assert labels(db)[-1] == "Troca ou devolução: parcial!"
    assert db.session.scalar(db.select(TicketReason.code).where(TicketReason.label.like("%parcial!"))) == \
        "troca_ou_devolucao_parcial_2"
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "ticket_reason.create"))
    shopper = factory.user()
    order = factory.order(shopper)
    db.session.commit()
    html = sign_in(shopper).get(f"/orders/{order.number}/help").get_data(as_text=True)
    assert "Troca ou devolução parcial" in html


@pytest.mark.parametrize("label, message", [("", "This field is required."), ("x" * 201, "200")])
def test_a_bad_label_re_renders_with_a_message(admin_client, post, db, label, message):
    before = labels(db)
    response = post(admin_client, URL, {"label": label})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert labels(db) == before


def test_a_duplicate_label_is_refused(admin_client, post, db):
    existing = labels(db)[0]
    response = post(admin_client, URL, {"label": existing.upper()})
    assert response.status_code == 422 and "already a reason with this text" in response.get_data(as_text=True)
    assert labels(db).count(existing) == 1


def test_rename_move_and_retire(admin_client, post, db, factory, sign_in):
    first, second = db.session.scalars(db.select(TicketReason).order_by(TicketReason.position)).all()[:2]
    assert post(admin_client, f"{URL}/{first.id}", {"label": "Onde está meu pedido"}).status_code == 302
    assert post(admin_client, f"{URL}/{first.id}/move", {"direction": "down"}, page=URL).status_code == 302
    assert labels(db)[:2] == [second.label, "Onde está meu pedido"]
    assert post(admin_client, f"{URL}/{second.id}/active", {"active": "0"}, page=URL).status_code == 302
    assert second.label not in labels(db, active_only=True)
    shopper = factory.user()
    order = factory.order(shopper)
    db.session.commit()
    html = sign_in(shopper).get(f"/orders/{order.number}/help").get_data(as_text=True)
    assert second.label not in html and "Onde está meu pedido" in html
    assert post(admin_client, f"{URL}/{second.id}/active", {"active": "1"}, page=URL).status_code == 302
    assert second.label in labels(db, active_only=True)


def test_the_last_active_reason_cannot_be_retired(admin_client, post, db):
    reasons = db.session.scalars(db.select(TicketReason)).all()
    for reason in reasons[1:]:
        reason.active = False
    response = post(admin_client, f"{URL}/{reasons[0].id}/active", {"active": "0"}, page=URL,
                    follow_redirects=True)
    assert "Keep at least one reason" in response.get_data(as_text=True)
    db.session.refresh(reasons[0])
    assert reasons[0].active


def test_agents_get_403_and_posts_need_csrf(db, factory, sign_in, admin_client):
    assert sign_in(factory.user(Role.agent)).get(URL).status_code == 403
    reason = db.session.scalars(db.select(TicketReason)).first()
    assert admin_client.post(f"{URL}/{reason.id}/move", data={"direction": "up"}).status_code == 400
    assert admin_client.get(f"{URL}/999999").status_code == 404


def test_a_reason_marked_about_delivery_answers_where_the_order_is_first(admin_client, post, db, factory, sign_in):
    built_in = db.session.scalar(db.select(TicketReason).where(TicketReason.code == "onde_esta_meu_pedido"))
    other = db.session.scalar(db.select(TicketReason).where(TicketReason.code == "troca_ou_devolucao"))
    assert built_in.about_delivery and not other.about_delivery
    page = admin_client.get(f"{URL}/{other.id}").get_data(as_text=True)
    assert 'name="about_delivery"' in page and "checked" not in page.split('name="about_delivery"')[0][-80:]
    assert post(admin_client, f"{URL}/{other.id}", {"label": other.label, "about_delivery": "y"}).status_code == 302
    assert post(admin_client, f"{URL}/{built_in.id}", {"label": built_in.label}).status_code == 302
    db.session.refresh(other)
    db.session.refresh(built_in)
    assert other.about_delivery and not built_in.about_delivery
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "ticket_reason.about_delivery"))
    assert sorted(entry.after["about_delivery"] for entry in entries) == [False, True]
    listing = admin_client.get(URL).get_data(as_text=True)
    assert listing.count("data-about-delivery") == 1
    shopper = factory.user()
    order = factory.order(shopper)
    db.session.commit()
    client = sign_in(shopper)
    marked = client.get(f"/orders/{order.number}/help?reason={other.id}").get_data(as_text=True)
    assert "data-deflection-answer" in marked and "data-ticket-form" not in marked
    unmarked = client.get(f"/orders/{order.number}/help?reason={built_in.id}").get_data(as_text=True)
    assert "data-ticket-form" in unmarked and "data-deflection-answer" not in unmarked
