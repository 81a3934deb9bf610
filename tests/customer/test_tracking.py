"""Correios tracking: JSON and HTML history, the snapshot cache, and graceful failure."""
import socket
import time
from datetime import timedelta

import pytest

from portal.models import TrackingSnapshot
from portal.orders import tracking, tracking_refresh

pytestmark = pytest.mark.db

CODE = "AA123456785BR"
OBJECTS = f"/srorastro/v1/objetos/{CODE}"
AUTH = "/token/v1/autentica/cartaopostagem"
PUBLIC = f"https://rastreamento.correios.com.br/app/index.php?objetos={CODE}"

EVENTS = {"objetos": [{"codObjeto": CODE, "eventos": [
    {"codigo": "PO", "tipo": "01", "dtHrCriado": "2026-11-03T09:15:00", "descricao": "Objeto postado",
     "unidade": {"tipo": "Agência dos Correios", "endereco": {"cidade": "CURITIBA", "uf": "PR"}}},
    {"codigo": "BDE", "tipo": "01", "dtHrCriado": "2026-11-05T14:40:00",
     "descricao": "Objeto entregue <b>ao</b> destinatário",
     "detalhe": "Recebido por: J. S.",
     "unidade": {"tipo": "Unidade de Distribuição", "endereco": {"cidade": "SAO PAULO", "uf": "SP"}}},
]}]}


def configure(app, monkeypatch, base_url, read_timeout=2.0):
    tracking._client.cache_clear()
    for key, value in {"CORREIOS_BASE_URL": base_url, "CORREIOS_USER": "demo", "CORREIOS_ACCESS_CODE": "secret",
                       "CORREIOS_CONTRACT_CARD": "0067599079", "CORREIOS_CONNECT_TIMEOUT": 0.5,
                       "CORREIOS_READ_TIMEOUT": read_timeout, "CORREIOS_CACHE_MINUTES": 30}.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def correios(app, monkeypatch, httpserver):
    """A pytest-httpserver playing the Correios API; the client cache is cleared around each test."""
    configure(app, monkeypatch, httpserver.url_for("/").rstrip("/"))
    httpserver.expect_request(AUTH, method="POST").respond_with_json(
        {"token": "tok", "expiraEm": "2099-01-01T00:00:00"})
    yield httpserver
    tracking._client.cache_clear()


def object_requests(server) -> int:
    return sum(1 for request, _response in server.log if request.path == OBJECTS)


@pytest.fixture
def order(factory, login):
    shopper = factory.user()
    login(shopper)
    return factory.order(shopper, status="ENVIADO", paid=True, shipped=True, shipping_code=CODE)


def test_history_as_json_then_from_the_cache(client, order, correios):
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert data["available"] is True and data["code"] == CODE and data["public_url"] == PUBLIC
    assert [event["description"] for event in data["events"]] == [
        "Objeto entregue <b>ao</b> destinatário", "Objeto postado"]
    assert data["events"][0]["place"] == "Unidade de Distribuição - SAO PAULO/SP"
    assert data["events"][0]["when_display"]
    assert object_requests(correios) == 1

    again = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert again["events"] == data["events"]
    assert object_requests(correios) == 1


def test_stale_snapshot_is_refreshed(client, order, correios, db):
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    client.get(f"/orders/{order.number}/tracking.json")
    snapshot = db.session.get(TrackingSnapshot, CODE)
    snapshot.fetched_at -= timedelta(minutes=31)
    db.session.flush()
    client.get(f"/orders/{order.number}/tracking.json")
    assert object_requests(correios) == 2


def test_html_history_without_js(client, order, correios):
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    response = client.get(f"/orders/{order.number}/tracking")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("data-tracking-event") == 2
    assert "Objeto entregue &lt;b&gt;ao&lt;/b&gt; destinatário" in html and "Recebido por: J. S." in html
    assert "CURITIBA/PR" in html


@pytest.mark.parametrize(("language", "shown"), [("pt-BR", "05/11/2026 14:40"), ("en", "11/5/26, 2:40\u202fPM")])
def test_correios_local_times_are_shown_as_they_happened(client, order, correios, language, shown):
    """Correios reports 14:40 Brasília time without a zone: the shopper must read 14:40, not 11:40."""
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    delivered = data["events"][0]
    assert delivered["code"] == "BDE"
    assert delivered["when"] == "2026-11-05T14:40:00-03:00"
    assert delivered["when_display"] == shown
    html = client.get(f"/orders/{order.number}/tracking").get_data(as_text=True)
    assert f'datetime="2026-11-05T14:40:00-03:00">{shown}</time>' in html


def test_order_page_never_calls_correios(client, order, correios):
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    assert client.get(f"/orders/{order.number}").status_code == 200
    assert len(correios.log) == 0


def _assert_unavailable(client, order, html_too=True):
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert data["available"] is False and data["events"] == [] and data["public_url"] == PUBLIC
    if html_too:
        html = client.get(f"/orders/{order.number}/tracking").get_data(as_text=True)
        assert "unavailable right now" in html
        assert f'href="{PUBLIC.replace("&", "&amp;")}" target="_blank" rel="noopener noreferrer"' in html


@pytest.mark.parametrize("status, body", [(500, "oops"), (503, ""), (200, "not json {"), (200, '{"objetos": 5}')])
def test_broken_answers_mean_unavailable_and_are_cached_briefly(client, order, correios, db, status, body):
    correios.expect_request(OBJECTS, method="GET").respond_with_data(body, status=status,
                                                                      content_type="application/json")
    _assert_unavailable(client, order)
    assert object_requests(correios) == 1
    snapshot = db.session.get(TrackingSnapshot, CODE)
    assert snapshot.error
    snapshot.fetched_at -= timedelta(minutes=3)
    db.session.flush()
    client.get(f"/orders/{order.number}/tracking.json")
    assert object_requests(correios) == 2


def test_down_api_means_unavailable(app, client, order, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configure(app, monkeypatch, f"http://127.0.0.1:{port}")
    _assert_unavailable(client, order)


def test_slow_api_times_out(app, client, order, monkeypatch):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        configure(app, monkeypatch, f"http://127.0.0.1:{listener.getsockname()[1]}", read_timeout=0.3)
        _assert_unavailable(client, order, html_too=False)


def test_not_configured_means_unavailable_without_a_snapshot(app, client, order, monkeypatch, db):
    configure(app, monkeypatch, "")
    _assert_unavailable(client, order)
    assert db.session.get(TrackingSnapshot, CODE) is None


def test_unknown_object_is_available_with_no_events(client, order, correios):
    correios.expect_request(OBJECTS, method="GET").respond_with_json(
        {"objetos": [{"codObjeto": CODE, "mensagem": "SRO-020: Objeto não encontrado na base de dados dos Correios."}]})
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert data["available"] is True and data["events"] == []
    assert "No tracking events yet" in client.get(f"/orders/{order.number}/tracking").get_data(as_text=True)


@pytest.fixture
def real_queue():
    """Queue into Huey's real storage, as the web process does in production; a test runs what was queued."""
    from portal.core import queue

    queue.huey.flush()
    tracking_refresh._asked.clear()
    queue.huey.immediate = False
    try:
        yield queue.huey
    finally:
        queue.huey.flush()
        queue.huey.immediate = True
        tracking_refresh._asked.clear()


def _run_queued(huey) -> int:
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def test_a_silent_correios_never_holds_the_page(app, client, order, monkeypatch, real_queue, correios):
    with socket.socket() as listener:  # accepts connections and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        configure(app, monkeypatch, f"http://127.0.0.1:{listener.getsockname()[1]}", read_timeout=8.0)
        started = time.monotonic()
        answers = [client.get(f"/orders/{order.number}/tracking.json").get_json() for _ in range(3)]
        html = client.get(f"/orders/{order.number}/tracking").get_data(as_text=True)
        elapsed = time.monotonic() - started
    # One request held by Correios would take the 8 s read timeout; four answered at once take well under half
    # of it even on a loaded machine.
    assert elapsed < 4, elapsed
    assert all(a["refreshing"] is True and a["events"] == [] and a["public_url"] == PUBLIC for a in answers)
    assert "data-tracking-refreshing" in html
    # Four page views of one stale history ask the worker once.
    assert real_queue.pending_count() == 1

    # The worker fetches it (from a Correios that answers again); the next page view shows it.
    configure(app, monkeypatch, correios.url_for("/").rstrip("/"))
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    assert _run_queued(real_queue) == 1
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert data["refreshing"] is False and data["available"] is True and len(data["events"]) == 2
    assert real_queue.pending_count() == 0


def test_a_stale_history_is_shown_at_once_while_a_newer_one_is_fetched(client, order, correios, db, real_queue):
    correios.expect_request(OBJECTS, method="GET").respond_with_json(EVENTS)
    db.session.add(TrackingSnapshot(code=CODE, events=[{"when": "2026-11-03T09:15:00", "description": "Postado"}],
                                    error=None, fetched_at=tracking.utcnow() - timedelta(hours=2)))
    db.session.commit()
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert data["refreshing"] is True and data["available"] is True
    assert [event["description"] for event in data["events"]] == ["Postado"]
    assert object_requests(correios) == 0  # the page did not ask Correios itself
    html = client.get(f"/orders/{order.number}/tracking").get_data(as_text=True)
    assert "Postado" in html and "data-tracking-refreshing" in html
    assert real_queue.pending_count() == 1

    assert _run_queued(real_queue) == 1
    assert object_requests(correios) == 1
    data = client.get(f"/orders/{order.number}/tracking.json").get_json()
    assert data["refreshing"] is False and len(data["events"]) == 2


def test_a_queue_that_cannot_be_reached_leaves_the_page_working(client, order, correios, real_queue, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(real_queue, "enqueue", refuse)
    response = client.get(f"/orders/{order.number}/tracking.json")
    assert response.status_code == 200
    assert response.get_json()["refreshing"] is True
    assert object_requests(correios) == 0
