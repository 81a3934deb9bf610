"""The worker records the carrier's delivery when it stores a Correios history that says so."""
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import Order
from portal.models.base import utcnow
from portal.orders import tracking, tracking_refresh

pytestmark = pytest.mark.db

CODE = "AA123456785BR"
AUTH = "/token/v1/autentica/cartaopostagem"


def history(*events):
    return {"objetos": [{"codObjeto": CODE, "eventos": [
        {"codigo": code, "tipo": "01", "dtHrCriado": when, "descricao": text,
         "unidade": {"tipo": "Unidade de Distribuição", "endereco": {"cidade": "SAO PAULO", "uf": "SP"}}}
        for code, when, text in events]}]}


@pytest.fixture
def correios(app, monkeypatch, httpserver):
    tracking._client.cache_clear()
    for key, value in {"CORREIOS_BASE_URL": httpserver.url_for("/").rstrip("/"), "CORREIOS_USER": "demo",
                       "CORREIOS_ACCESS_CODE": "secret", "CORREIOS_CONTRACT_CARD": "0067599079",
                       "CORREIOS_CONNECT_TIMEOUT": 0.5, "CORREIOS_READ_TIMEOUT": 2.0,
                       "CORREIOS_CACHE_MINUTES": 30}.items():
        monkeypatch.setitem(app.config, key, value)
    httpserver.expect_request(AUTH, method="POST").respond_with_json(
        {"token": "tok", "expiraEm": "2099-01-01T00:00:00"})
    yield httpserver
    tracking._client.cache_clear()


def _order(factory, status="ENVIADO", code=CODE):
    return factory.order(status=status, paid=True, shipped=True, shipping_code=code,
                         placed_at=utcnow() - timedelta(days=5))


def test_refreshing_a_delivered_history_marks_the_open_orders_with_that_code(db, factory, correios):
    correios.expect_request(f"/srorastro/v1/objetos/{CODE}").respond_with_json(history(
        ("BDE", "2026-11-20T14:32:10", "Objeto entregue ao destinatário"),
        ("OEC", "2026-11-20T08:00:00", "Objeto saiu para entrega ao destinatário")))
    open_order, lowercase = _order(factory), _order(factory, code=" aa123456785br")
    finished = _order(factory, status="FINALIZADO")
    db.session.commit()
    assert tracking_refresh.refresh_code.call_local(CODE) is True
    db.session.expire_all()
    delivered = datetime(2026, 11, 20, 17, 32, 10, tzinfo=UTC)  # 14:32 in Brasília
    assert db.session.get(Order, open_order.id).carrier_delivered_at == delivered
    assert db.session.get(Order, lowercase.id).carrier_delivered_at == delivered
    assert db.session.get(Order, finished.id).carrier_delivered_at is None


def test_a_history_without_a_delivery_marks_nothing(db, factory, correios):
    correios.expect_request(f"/srorastro/v1/objetos/{CODE}").respond_with_json(history(
        ("BDE", "2026-11-20T14:32:10", "Carteiro não atendido - entrega não realizada"),
        ("RO", "2026-11-19T08:00:00", "Objeto em trânsito - por favor aguarde")))
    order = _order(factory)
    db.session.commit()
    tracking_refresh.refresh_code.call_local(CODE)
    db.session.expire_all()
    assert db.session.get(Order, order.id).carrier_delivered_at is None
