"""Status rules as a matrix, the early-delivery warning, the example timeline and the review marker."""
import re

from portal.models import AuditEntry, StatusRule, StoreSettings
from portal.orders import statuses

RULES = "/merchant-admin/rules"


def _ids(*names):
    return [statuses.get_status(name).id for name in names]


def _pair(a, b):
    x, y = _ids(a, b)
    return f"{x}-{y}"


def _rules(*pairs):
    """Return the matrix form's values: the ticked pairs and the rules version it was rendered with."""
    return {"rule": list(pairs), "rules_version": StoreSettings.get().rules_version}


# Rules for every before-shipping built-in, so that none of them may change to any status.
SHIPPING_FLOW = (("AGUARDANDO PAGAMENTO", "A ENVIAR"), ("A ENVIAR", "ENVIADO"))


def test_matrix_saves_exactly_the_ticked_rules(admin_client, post, db):
    statuses.add_rule(statuses.get_status("ENVIADO"), statuses.get_status("CANCELADO"))
    response = post(admin_client, RULES, _rules(_pair("AGUARDANDO PAGAMENTO", "A ENVIAR"),
                                                _pair("A ENVIAR", "ENVIADO"), "junk", "9999-1"))
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
    flow = [_pair(a, b) for a, b in SHIPPING_FLOW]
    response = post(admin_client, RULES, _rules(*flow, _pair("SEPARADO", "ENVIADO"), _pair("ENVIADO", "FINALIZADO")),
                    follow_redirects=True)
    assert "data-rules-warning" not in response.get_data(as_text=True)
    response = post(admin_client, RULES, _rules(_pair("AGUARDANDO PAGAMENTO", "A ENVIAR"),
                                                _pair("A ENVIAR", "FINALIZADO"), _pair("SEPARADO", "FINALIZADO")),
                    follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "data-rules-warning" in html and "Keep the order ENVIADO" in html
    assert 'data-risky-rule="A ENVIAR→FINALIZADO"' in html and 'data-risky-rule="SEPARADO→FINALIZADO"' in html
    assert "matrix__cell--risky" in html


def test_additional_status_after_shipping_is_not_warned(admin_client, post, factory, db):
    status = factory.status("EM ROTA")
    status.after_shipping = True
    db.session.flush()
    flow = [_pair(a, b) for a, b in SHIPPING_FLOW]
    html = post(admin_client, RULES, _rules(*flow, _pair("EM ROTA", "FINALIZADO")),
                follow_redirects=True).get_data(as_text=True)
    assert "data-rules-warning" not in html


def test_example_timeline_for_a_chosen_status(admin_client):
    finalizado, = _ids("FINALIZADO")
    html = admin_client.get(f"{RULES}?example={finalizado}").get_data(as_text=True)
    steps = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))
    assert steps == {"placed": "done", "paid": "done", "shipped": "done", "delivered": "done"}
    enviado, = _ids("ENVIADO")
    html = admin_client.get(f"{RULES}?example={enviado}&shipped=1").get_data(as_text=True)
    steps = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))
    assert steps == {"placed": "done", "paid": "done", "shipped": "done", "delivered": "current"}
    # A ENVIAR says the parcel has not left: its example shows no shipment even with a shipping date.
    a_enviar, = _ids("A ENVIAR")
    html = admin_client.get(f"{RULES}?example={a_enviar}&shipped=1").get_data(as_text=True)
    steps = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))
    assert steps == {"placed": "done", "paid": "done", "shipped": "current", "delivered": "pending"}
    assert "data-example-timeline" not in admin_client.get(f"{RULES}?example=nope").get_data(as_text=True)


def test_rules_need_review_after_statuses_change(admin_client, post, factory):
    post(admin_client, RULES, _rules())
    assert StoreSettings.get().rules_need_review is False
    post(admin_client, "/merchant-admin/statuses/new", {"name": "NOVO", "type": "in_progress"})
    assert StoreSettings.get().rules_need_review is True


def test_statuses_without_rules_are_warned_as_leading_anywhere(admin_client):
    html = admin_client.get(RULES).get_data(as_text=True)
    assert "data-rules-warning" in html and 'data-risky-rule="A ENVIAR→FINALIZADO"' in html
    assert 'data-risky-rule="AGUARDANDO PAGAMENTO→FINALIZADO"' in html
    assert html.count("data-unruled") == len(statuses_on_the_matrix())
    assert "no rule yet: may change to any status" in html


def test_a_rule_for_a_status_ends_its_free_changes(admin_client, post):
    html = post(admin_client, RULES, _rules(_pair("A ENVIAR", "ENVIADO")), follow_redirects=True).get_data(
        as_text=True)
    assert 'data-risky-rule="A ENVIAR→FINALIZADO"' not in html
    assert 'data-risky-rule="AGUARDANDO PAGAMENTO→FINALIZADO"' in html
    assert html.count("data-unruled") == len(statuses_on_the_matrix()) - 1


def test_stale_rules_form_is_refused_and_keeps_the_ticks(admin, sign_in, post, db):
    first, second = sign_in(admin), sign_in(admin)
    stale = _rules(_pair("A ENVIAR", "FINALIZADO"))
    assert post(first, RULES, _rules(_pair("A ENVIAR", "ENVIADO"))).status_code == 302
    response = post(second, RULES, stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed these settings meanwhile" in html
    pairs = {(r.from_status.name, r.to_status.name) for r in db.session.scalars(db.select(StatusRule))}
    assert pairs == {("A ENVIAR", "ENVIADO")}
    checked = re.findall(r'value="(\d+-\d+)"[^>]*?\s+checked', html)
    assert checked == [_pair("A ENVIAR", "FINALIZADO")]
    assert f'name="rules_version" type="hidden" value="{stale["rules_version"] + 1}"' in html


def statuses_on_the_matrix():
    from portal.orders import status_admin
    return [s for s in status_admin.list_statuses() if not s.retired]
