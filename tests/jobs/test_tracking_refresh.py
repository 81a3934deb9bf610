"""The periodic tracking refresh: recent, undelivered parcels with a stale snapshot, in batches, idempotent."""
from datetime import timedelta

import pytest

from portal.models import TrackingSnapshot
from portal.models.base import utcnow
from portal.orders import tracking, tracking_refresh
from trackers import check_digit

pytestmark = pytest.mark.db

CODE = "AA123456785BR"


def s10(serial: str) -> str:
    """Return a valid Correios code for an eight-digit serial."""
    return f"PN{serial}{check_digit(serial)}BR"


OTHER = s10("98765432")
AUTH = "/token/v1/autentica/cartaopostagem"
EVENTS = {"objetos": [{"codObjeto": CODE, "eventos": [
    {"codigo": "PO", "tipo": "01", "dtHrCriado": "2026-11-03T09:15:00", "descricao": "Objeto postado",
     "unidade": {"tipo": "Agência dos Correios", "endereco": {"cidade": "CURITIBA", "uf": "PR"}}},
]}]}


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
    httpserver.expect_request(f"/srorastro/v1/objetos/{CODE}", method="GET").respond_with_json(EVENTS)
    yield httpserver
    tracking._client.cache_clear()


def _fetches(server) -> list[str]:
    return [request.path for request, _response in server.log if "/objetos/" in request.path]


def _shipped(factory, days_ago: float, code: str, status: str = "ENVIADO"):
    placed = utcnow() - timedelta(days=days_ago + 1)
    return factory.order(status=status, paid=True, shipped=True, shipping_code=code, placed_at=placed)


def test_only_recent_unfinished_parcels_with_stale_snapshots_are_refreshed(db, factory, correios):
    _shipped(factory, 3, CODE)
    _shipped(factory, 3, OTHER, status="FINALIZADO")  # delivered
    _shipped(factory, 45, s10("12345678"))  # too old
    _shipped(factory, 2, "https://example.com/track/1")  # not a Correios code
    db.session.commit()
    assert tracking_refresh.stale_codes() == [CODE]
    assert tracking_refresh.refresh_stale.call_local() == 1
    snapshot = db.session.get(TrackingSnapshot, CODE)
    assert snapshot is not None and snapshot.error is None and snapshot.events[0]["description"] == "Objeto postado"
    assert _fetches(correios) == [f"/srorastro/v1/objetos/{CODE}"]

    assert tracking_refresh.refresh_stale.call_local() == 0  # fresh now: a second run fetches nothing
    assert len(_fetches(correios)) == 1
    snapshot.fetched_at -= timedelta(minutes=31)
    db.session.commit()
    assert tracking_refresh.stale_codes() == [CODE]


def test_runs_are_batched(db, factory, correios):
    codes = [s10(f"1000000{n}") for n in range(3)]
    for n, code in enumerate(codes):
        _shipped(factory, 1 + n, code)
    db.session.commit()
    assert tracking_refresh.stale_codes(limit=2) == codes[:2]  # the newest shipments first
    assert tracking_refresh.stale_codes() == codes


def test_one_code_is_refreshed_when_its_snapshot_is_missing(db, correios):
    assert db.session.get(TrackingSnapshot, CODE) is None
    assert tracking_refresh.refresh_code.call_local(CODE) is True
    assert db.session.get(TrackingSnapshot, CODE) is not None
    tracking_refresh.refresh_code.call_local(CODE)
    assert len(_fetches(correios)) == 1


def test_nothing_happens_without_correios_credentials(app, db, factory, monkeypatch):
    monkeypatch.setitem(app.config, "CORREIOS_BASE_URL", "")
    tracking._client.cache_clear()
    _shipped(factory, 1, CODE)
    db.session.commit()
    assert tracking_refresh.refresh_stale.call_local() == 0
    tracking._client.cache_clear()
