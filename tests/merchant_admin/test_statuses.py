"""The status registry: filter, create, type, rename, retire, delete; types apply at once to order pages."""
import re

from portal.models import AuditEntry, OrderStatus, Role, StatusType

NEW = "/merchant-admin/statuses/new"


def _state(html: str, step: str) -> str:
    match = re.search(rf'data-step="{step}" data-state="(\w+)"', html)
    return match.group(1) if match else ""


def test_registry_lists_builtin_and_filters_additional(admin_client, factory):
    factory.status("EM SEPARAÇÃO")
    every = admin_client.get("/merchant-admin/statuses").get_data(as_text=True)
    assert 'data-status="FINALIZADO"' in every and 'data-status="EM SEPARAÇÃO"' in every
    additional = admin_client.get("/merchant-admin/statuses?filter=additional").get_data(as_text=True)
    assert 'data-status="FINALIZADO"' not in additional
    assert 'data-status="EM SEPARAÇÃO" data-type=""' in additional


def test_create_status(admin_client, post, db, admin):
    response = post(admin_client, NEW, {"name": "  em   separação ", "type": "in_progress",
                                         "shown_to_customer": "y"})
    assert response.status_code == 302
    status = db.session.scalar(db.select(OrderStatus).filter_by(name="EM SEPARAÇÃO"))
    assert status.type is StatusType.in_progress and status.shown_to_customer and not status.is_builtin
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="status.create"))
    assert entry.user_id == admin.id and entry.after["name"] == "EM SEPARAÇÃO" and entry.before is None


def test_create_status_invalid_keeps_values(admin_client, post, db):
    response = post(admin_client, NEW, {"name": "", "type": "completed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html
    assert '<option selected value="completed">' in html or 'value="completed" selected' in html
    response = post(admin_client, NEW, {"name": "finalizado", "type": "completed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "already exists" in html and 'value="finalizado"' in html
    response = post(admin_client, NEW, {"name": "X", "type": "shipped-ish"})
    assert response.status_code == 422 and 'id="type-error"' in response.get_data(as_text=True)


def test_non_admin_cannot_create(factory, sign_in, post, db):
    agent = sign_in(factory.user(Role.agent))
    response = post(agent, NEW, {"name": "NOPE"})
    assert response.status_code == 403
    assert db.session.scalar(db.select(OrderStatus).filter_by(name="NOPE")) is None


def test_rename_type_and_retire(admin_client, post, factory, db):
    status = factory.status("EM ROTA")
    url = f"/merchant-admin/statuses/{status.id}"
    response = post(admin_client, url, {"name": "Saiu para entrega", "type": "in_progress", "after_shipping": "y",
                                        "retired": "y", "version": status.version})
    assert response.status_code == 302
    db.session.refresh(status)
    assert (status.name, status.type, status.after_shipping, status.retired, status.shown_to_customer) == (
        "SAIU PARA ENTREGA", StatusType.in_progress, True, True, False)
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="status.update"))
    assert entry.before["name"] == "EM ROTA" and entry.after["name"] == "SAIU PARA ENTREGA"


def test_rename_to_existing_name_is_refused(admin_client, post, factory):
    status = factory.status("EM ROTA")
    response = post(admin_client, f"/merchant-admin/statuses/{status.id}", {"name": "enviado", "type": "",
                                                                         "version": status.version})
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)


def test_builtin_keeps_name_and_type_but_can_hide_its_name(admin_client, post, db):
    finalizado = db.session.scalar(db.select(OrderStatus).filter_by(name="FINALIZADO"))
    url = f"/merchant-admin/statuses/{finalizado.id}"
    response = post(admin_client, url, {"name": "FINALIZADO", "type": "completed", "version": finalizado.version})
    assert response.status_code == 302 and finalizado.shown_to_customer is False
    response = post(admin_client, url, {"name": "ENTREGUE", "type": "completed", "shown_to_customer": "y",
                                        "version": finalizado.version})
    assert response.status_code == 422 and "built-in" in response.get_data(as_text=True)
    db.session.refresh(finalizado)
    assert finalizado.name == "FINALIZADO"


def test_delete_unused_status_but_not_one_in_use(admin_client, post, factory, db):
    unused, used = factory.status("NUNCA USADO"), factory.status("USADO")
    factory.order(status="USADO")
    response = post(admin_client, f"/merchant-admin/statuses/{used.id}/delete",
                    page=f"/merchant-admin/statuses/{used.id}", follow_redirects=True)
    assert "retire it instead" in response.get_data(as_text=True)
    assert db.session.get(OrderStatus, used.id) is not None
    response = post(admin_client, f"/merchant-admin/statuses/{unused.id}/delete",
                    page=f"/merchant-admin/statuses/{unused.id}")
    assert response.status_code == 302
    assert db.session.scalar(db.select(OrderStatus).filter_by(name="NUNCA USADO")) is None


def test_type_change_shows_on_the_next_order_page_view(admin_client, post, factory, sign_in):
    customer = factory.user()
    status = factory.status("ENTREGUE AO VIZINHO")
    order = factory.order(customer, "ENTREGUE AO VIZINHO", paid=True, shipped=True, shipping_code="SS123456785BR")
    buyer = sign_in(customer)
    before = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert _state(before, "delivered") == "current"
    response = post(admin_client, f"/merchant-admin/statuses/{status.id}",
                    {"name": status.name, "type": "completed", "shown_to_customer": "y", "version": status.version})
    assert response.status_code == 302
    after = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert _state(after, "delivered") == "done"
    post(admin_client, f"/merchant-admin/statuses/{status.id}", {"name": status.name, "type": "cancelled",
                                                                 "version": status.version})
    cancelled = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert _state(cancelled, "cancelled") == "done"


def test_stale_status_form_is_refused_and_keeps_the_values(admin, sign_in, post, factory, db):
    status = factory.status("EM ROTA")
    url = f"/merchant-admin/statuses/{status.id}"
    first, second = sign_in(admin), sign_in(admin)
    stale = status.version
    assert post(first, url, {"name": "SAIU PARA ENTREGA", "type": "in_progress", "version": stale}).status_code == 302
    response = post(second, url, {"name": "NA TRANSPORTADORA", "type": "completed", "version": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed these settings meanwhile" in html
    assert 'value="NA TRANSPORTADORA"' in html
    assert f'name="version" type="hidden" value="{stale + 1}"' in html
    db.session.refresh(status)
    assert (status.name, status.type, status.version) == ("SAIU PARA ENTREGA", StatusType.in_progress, stale + 1)


def test_status_only_in_an_orders_history_cannot_be_deleted(admin_client, post, factory, db):
    from portal.orders import intake as orders
    from portal.orders import statuses

    factory.status("CONFERIDO")
    order = factory.order(status="CONFERIDO")
    orders.change_order_status(order, statuses.get_status("A ENVIAR"), source="test")
    status = statuses.get_status("CONFERIDO")
    assert order.status.name == "A ENVIAR"
    response = post(admin_client, f"/merchant-admin/statuses/{status.id}/delete",
                    page=f"/merchant-admin/statuses/{status.id}", follow_redirects=True)
    assert "retire it instead" in response.get_data(as_text=True)
    assert db.session.get(OrderStatus, status.id) is not None
