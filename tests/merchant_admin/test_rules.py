"""Status rules as a matrix, the early-delivery warning, the example timeline and the review marker."""
import re

from portal.models import AuditEntry, StatusRule, StoreSettings
from portal.services import statuses

RULES = "/merchant-admin/rules"


def _ids(*names):
    return [statuses.get_status(name).id for name in names]


def _pair(a, b):
    x, y = _ids(a, b)
    return f"{x}-{y}"


def test_matrix_saves_exactly_the_ticked_rules(admin_client, post, db):
    statuses.add_rule(statuses.get_status("ENVIADO"), statuses.get_status("CANCELADO"))
    response = post(admin_client, RULES, {"rule": [_pair("AGUARDANDO PAGAMENTO", "A ENVIAR"),
                                                   _pair("A ENVIAR", "ENVIADO"), "junk", "9999-1"]})
    assert response.status_code == 302
    pairs = {(r.from_status.name, r.to_status.name) for r in db.session.scalars(db.select(StatusRule))}
    assert pairs == {("AGUARDANDO PAGAMENTO", "A ENVIAR"), ("A ENVIAR", "ENVIADO")}
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="rules.update"))
    assert entry.before == {"rules": ["ENVIADO → CANCELADO"]}
    assert "A ENVIAR → ENVIADO" in entry.after["rules"]
    assert StoreSettings.get().rules_need_review is False
    html = admin_client.get(RULES).get_data(as_text=True)
    checked = re.findall(r'value="(\d+-\d+)"[^>]*?\s+checked', html)
    assert sorted(checked) == sorted([_pair("AGUARDANDO PAGAMENTO", "A ENVIAR"), _pair("A ENVIAR", "ENVIADO")])


def test_warning_for_completed_status_reached_before_shipping(admin_client, post, factory):
    factory.status("SEPARADO")
    response = post(admin_client, RULES, {"rule": [_pair("ENVIADO", "FINALIZADO")]}, follow_redirects=True)
    assert "data-rules-warning" not in response.get_data(as_text=True)
    response = post(admin_client, RULES, {"rule": [_pair("A ENVIAR", "FINALIZADO"), _pair("SEPARADO", "FINALIZADO")]},
                    follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "data-rules-warning" in html and "Keep the order ENVIADO" in html
    assert 'data-risky-rule="A ENVIAR→FINALIZADO"' in html and 'data-risky-rule="SEPARADO→FINALIZADO"' in html
    assert "matrix__cell--risky" in html


def test_additional_status_after_shipping_is_not_warned(admin_client, post, factory, db):
    status = factory.status("EM ROTA")
    status.after_shipping = True
    db.session.flush()
    html = post(admin_client, RULES, {"rule": [_pair("EM ROTA", "FINALIZADO")]},
                follow_redirects=True).get_data(as_text=True)
    assert "data-rules-warning" not in html


def test_example_timeline_for_a_chosen_status(admin_client):
    finalizado, = _ids("FINALIZADO")
    html = admin_client.get(f"{RULES}?example={finalizado}").get_data(as_text=True)
    steps = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))
    assert steps == {"placed": "done", "paid": "done", "shipped": "done", "delivered": "done"}
    a_enviar, = _ids("A ENVIAR")
    html = admin_client.get(f"{RULES}?example={a_enviar}&shipped=1").get_data(as_text=True)
    steps = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))
    assert steps == {"placed": "done", "paid": "done", "shipped": "done", "delivered": "current"}
    assert "data-example-timeline" not in admin_client.get(f"{RULES}?example=nope").get_data(as_text=True)


def test_rules_need_review_after_statuses_change(admin_client, post, factory):
    post(admin_client, RULES, {})
    assert StoreSettings.get().rules_need_review is False
    post(admin_client, "/merchant-admin/statuses/new", {"name": "NOVO", "type": "in_progress"})
    assert StoreSettings.get().rules_need_review is True
