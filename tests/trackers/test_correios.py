"""Tests for the Correios tracking client against a local fake server and the stand-in API."""

import base64
import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug import Response

from trackers import CorreiosClient, CorreiosError, TrackingEvent
from trackers.correios import CorreiosBadResponse, CorreiosNotFound, CorreiosUnavailable
from trackers.correios_standin import start_in_thread

CODE = "SS123456785BR"
AUTH_PATH = "/token/v1/autentica/cartaopostagem"
OBJECTS_PATH = f"/srorastro/v1/objetos/{CODE}"
SECRET = "s3cr3t-access-code"
BASIC = "Basic " + base64.b64encode(f"loja:{SECRET}".encode()).decode()
FAR_FUTURE = "2999-01-01T00:00:00"
BRASILIA = ZoneInfo("America/Sao_Paulo")

SAO_PAULO = {"tipo": "Unidade de Distribuição", "endereco": {"cidade": "SAO PAULO", "uf": "SP"}}
CURITIBA = {"tipo": "Agência dos Correios", "endereco": {"cidade": "CURITIBA", "uf": "PR"}}

EVENTS = [
    {
        "codigo": "PO",
        "tipo": "01",
        "dtHrCriado": "2026-11-17T09:05:00",
        "descricao": "Objeto postado",
        "unidade": CURITIBA,
    },
    {
        "codigo": "BDE",
        "tipo": "01",
        "dtHrCriado": "2026-11-20T14:32:10",
        "descricao": "Objeto entregue ao destinatário",
        "detalhe": "Recebido por: Maria",
        "unidade": SAO_PAULO,
    },
    {
        "codigo": "RO",
        "tipo": "01",
        "dtHrCriado": "2026-11-18T22:10:00",
        "descricao": "Objeto em trânsito - por favor aguarde",
        "unidade": CURITIBA,
        "unidadeDestino": SAO_PAULO,
    },
]


def make_client(server, **kwargs):
    kwargs.setdefault("read_timeout", 2.0)
    return CorreiosClient(server.url_for(""), "loja", SECRET, "0067599079", **kwargs)


def expect_auth(server, expires=FAR_FUTURE, issued="tok-1"):
    server.expect_request(
        AUTH_PATH, method="POST", headers={"Authorization": BASIC}, json={"numero": "0067599079"}
    ).respond_with_json({"token": issued, "expiraEm": expires}, status=201)


def expect_objects(server, payload, status=200, bearer="tok-1"):
    server.expect_request(
        OBJECTS_PATH,
        method="GET",
        query_string={"resultado": "T"},
        headers={"Authorization": f"Bearer {bearer}"},
    ).respond_with_json(payload, status=status)


def calls(server, path):
    return sum(1 for request, _ in server.log if request.path == path)


def test_happy_path_parses_events_newest_first(httpserver):
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": EVENTS}]})
    events = make_client(httpserver).fetch_events(" ss123456785br ")
    assert [event.code for event in events] == ["BDE", "RO", "PO"]
    assert events[0] == TrackingEvent(
        when=datetime(2026, 11, 20, 14, 32, 10, tzinfo=BRASILIA),
        description="Objeto entregue ao destinatário",
        detail="Recebido por: Maria",
        place="Unidade de Distribuição - SAO PAULO/SP",
        code="BDE",
    )
    assert events[1].destination == "Unidade de Distribuição - SAO PAULO/SP"
    assert events[2].to_dict() == {
        "when": "2026-11-17T09:05:00-03:00",
        "description": "Objeto postado",
        "detail": None,
        "place": "Agência dos Correios - CURITIBA/PR",
        "code": "PO",
        "destination": None,
    }
    json.dumps([event.to_dict() for event in events])
    httpserver.check_assertions()


@pytest.mark.parametrize(
    ("unit", "place"),
    [
        (None, ""),
        ({"tipo": "Unidade de Tratamento"}, "Unidade de Tratamento"),
        ({"endereco": {"cidade": "RECIFE", "uf": "PE"}}, "RECIFE/PE"),
        ({"tipo": "Agência", "endereco": {"uf": "PE"}}, "Agência - PE"),
        ({"tipo": "Agência", "endereco": {"cidade": "RECIFE", "uf": None}}, "Agência - RECIFE"),
        ({"tipo": "", "endereco": {}}, ""),
    ],
)
def test_place_handles_missing_parts(httpserver, unit, place):
    event = {"codigo": "RO", "dtHrCriado": "2026-11-18T22:10:00", "descricao": "Em trânsito"}
    if unit is not None:
        event["unidade"] = unit
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": [event]}]})
    assert make_client(httpserver).fetch_events(CODE)[0].place == place


def test_aware_and_naive_dates_sort_together(httpserver):
    events = [
        {"codigo": "A", "dtHrCriado": "2026-11-18T10:00:00", "descricao": "a"},
        {"codigo": "B", "dtHrCriado": "2026-11-18T12:30:00Z", "descricao": "b"},  # 09:30 in Brazil
        {"codigo": "C", "dtHrCriado": "2026-11-18T11:00:00-03:00", "descricao": "c"},
    ]
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": events}]})
    result = make_client(httpserver).fetch_events(CODE)
    assert [event.code for event in result] == ["C", "A", "B"]
    assert result[0].when.utcoffset() == timedelta(hours=-3)
    assert result[2].when.tzinfo is not None


def test_object_without_events_gives_empty_list(httpserver):
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": []}]})
    assert make_client(httpserver).fetch_events(CODE) == []


def test_token_is_reused_across_calls(httpserver):
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": EVENTS}]})
    client = make_client(httpserver)
    client.fetch_events(CODE)
    client.fetch_events(CODE)
    assert calls(httpserver, AUTH_PATH) == 1
    assert calls(httpserver, OBJECTS_PATH) == 2


def test_token_close_to_expiry_is_renewed(httpserver):
    soon = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    expect_auth(httpserver, expires=soon)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": EVENTS}]})
    client = make_client(httpserver)
    client.fetch_events(CODE)
    client.fetch_events(CODE)
    assert calls(httpserver, AUTH_PATH) == 2


def test_401_authenticates_again_once(httpserver):
    httpserver.expect_ordered_request(AUTH_PATH, method="POST").respond_with_json(
        {"token": "old", "expiraEm": FAR_FUTURE}
    )
    httpserver.expect_ordered_request(
        OBJECTS_PATH, headers={"Authorization": "Bearer old"}
    ).respond_with_json({"msgs": ["Token expirado"]}, status=401)
    httpserver.expect_ordered_request(AUTH_PATH, method="POST").respond_with_json(
        {"token": "new", "expiraEm": FAR_FUTURE}
    )
    httpserver.expect_ordered_request(
        OBJECTS_PATH, headers={"Authorization": "Bearer new"}
    ).respond_with_json({"objetos": [{"codObjeto": CODE, "eventos": EVENTS}]})
    assert len(make_client(httpserver).fetch_events(CODE)) == 3
    httpserver.check_assertions()


def test_401_twice_gives_up(httpserver):
    expect_auth(httpserver)
    expect_objects(httpserver, {"msgs": ["Token inválido"]}, status=401)
    with pytest.raises(CorreiosError):
        make_client(httpserver).fetch_events(CODE)
    assert calls(httpserver, AUTH_PATH) == 2
    assert calls(httpserver, OBJECTS_PATH) == 2


def test_not_found(httpserver):
    expect_auth(httpserver)
    message = "SRO-020: Objeto não encontrado na base de dados dos Correios."
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "mensagem": message}]})
    with pytest.raises(CorreiosNotFound):
        make_client(httpserver).fetch_events(CODE)


def test_rejected_credentials_do_not_leak_the_access_code(httpserver):
    httpserver.expect_request(AUTH_PATH, method="POST").respond_with_json({"msgs": ["inválido"]}, status=401)
    client = make_client(httpserver)
    with pytest.raises(CorreiosError) as info:
        client.fetch_events(CODE)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(client)


@pytest.mark.parametrize(
    ("auth_status", "objects_status", "error"),
    [
        (500, 200, CorreiosUnavailable),
        (200, 500, CorreiosUnavailable),
        (200, 503, CorreiosUnavailable),
        (200, 404, CorreiosError),
        (200, 400, CorreiosError),
        (400, 200, CorreiosError),
    ],
)
def test_http_errors(httpserver, auth_status, objects_status, error):
    token = {"token": "tok-1", "expiraEm": FAR_FUTURE}
    httpserver.expect_request(AUTH_PATH).respond_with_json(token, status=auth_status)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": EVENTS}]}, status=objects_status)
    with pytest.raises(error):
        make_client(httpserver).fetch_events(CODE)


@pytest.mark.parametrize("body", ["", "not json", "{", "<html>502</html>", "[" * 100_000, "\xff\xfe"])
def test_invalid_json(httpserver, body):
    expect_auth(httpserver)
    httpserver.expect_request(OBJECTS_PATH).respond_with_data(body, content_type="application/json")
    with pytest.raises(CorreiosBadResponse):
        make_client(httpserver).fetch_events(CODE)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "objetos",
        {},
        {"objetos": None},
        {"objetos": []},
        {"objetos": {"codObjeto": CODE}},
        {"objetos": ["SS123456785BR"]},
        {"objetos": [{"codObjeto": CODE, "eventos": "none"}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [None]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{"codigo": "BDE", "dtHrCriado": "2026-11-20T14:32:10"}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "codigo": 5}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "descricao": ["x"]}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "detalhe": {}}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "unidade": "CURITIBA"}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "unidade": {"endereco": "x"}}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "unidade": {"tipo": 7}}]}]},
        {"objetos": [{"codObjeto": CODE, "eventos": [{**EVENTS[0], "unidadeDestino": []}]}]},
    ],
)
def test_wrong_shape(httpserver, payload):
    expect_auth(httpserver)
    expect_objects(httpserver, payload)
    with pytest.raises(CorreiosBadResponse):
        make_client(httpserver).fetch_events(CODE)


@pytest.mark.parametrize(
    "when", [None, 20261120, "", "20/11/2026 14:32", "2026-13-01T00:00:00", "ontem", "x" * 500]
)
def test_bad_date(httpserver, when):
    event = {**EVENTS[0], "dtHrCriado": when}
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": [event]}]})
    with pytest.raises(CorreiosBadResponse):
        make_client(httpserver).fetch_events(CODE)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"token": ""},
        {"token": None, "expiraEm": FAR_FUTURE},
        {"token": "t"},
        {"token": "t", "expiraEm": "amanhã"},
        ["token"],
    ],
)
def test_bad_token_answer(httpserver, payload):
    httpserver.expect_request(AUTH_PATH).respond_with_json(payload)
    with pytest.raises(CorreiosBadResponse):
        make_client(httpserver).fetch_events(CODE)


def test_timeout(httpserver):
    expect_auth(httpserver)
    release = threading.Event()

    def slow(request):
        release.wait(timeout=1.0)
        return Response(json.dumps({"objetos": []}), content_type="application/json")

    httpserver.expect_request(OBJECTS_PATH).respond_with_handler(slow)
    started = time.monotonic()
    try:
        with pytest.raises(CorreiosUnavailable, match="timed out"):
            make_client(httpserver, read_timeout=0.3).fetch_events(CODE)
        assert time.monotonic() - started < 0.9
    finally:
        # Let the handler finish now so that its request is not logged during a later test.
        release.set()
        while calls(httpserver, OBJECTS_PATH) == 0 and time.monotonic() - started < 3:
            time.sleep(0.01)


def test_zone_less_times_are_brazil_time_and_zoned_ones_are_kept(httpserver):
    events = [
        {"codigo": "A", "dtHrCriado": "2026-11-05T14:40:00", "descricao": "a"},
        {"codigo": "B", "dtHrCriado": "2026-11-04T12:30:00Z", "descricao": "b"},
        {"codigo": "C", "dtHrCriado": "2026-11-03T08:00:00+01:00", "descricao": "c"},
    ]
    expect_auth(httpserver)
    expect_objects(httpserver, {"objetos": [{"codObjeto": CODE, "eventos": events}]})
    naive, utc, paris = make_client(httpserver).fetch_events(CODE)
    assert naive.when == datetime(2026, 11, 5, 17, 40, tzinfo=UTC)
    assert naive.when.tzinfo == BRASILIA
    assert naive.to_dict()["when"] == "2026-11-05T14:40:00-03:00"
    assert utc.when.utcoffset() == timedelta(0) and utc.to_dict()["when"] == "2026-11-04T12:30:00+00:00"
    assert paris.to_dict()["when"] == "2026-11-03T08:00:00+01:00"


def _trickle(release: threading.Event):
    """Answer the objects request one byte at a time, each well within the read timeout."""
    def handler(request):
        def body():
            for _ in range(40):
                if release.wait(timeout=0.1):
                    return
                yield b" "
            yield json.dumps({"objetos": []}).encode()
        return Response(body(), content_type="application/json")
    return handler


def test_a_trickling_answer_is_cut_off_at_the_overall_deadline(httpserver):
    expect_auth(httpserver)
    release = threading.Event()
    httpserver.expect_request(OBJECTS_PATH).respond_with_handler(_trickle(release))
    started = time.monotonic()
    try:
        with pytest.raises(CorreiosUnavailable, match="timed out"):
            make_client(httpserver, read_timeout=1.0, total_timeout=0.6).fetch_events(CODE)
        assert time.monotonic() - started < 1.5
    finally:
        release.set()
        while calls(httpserver, OBJECTS_PATH) == 0 and time.monotonic() - started < 5:
            time.sleep(0.01)


def test_the_deadline_covers_the_token_the_objects_and_the_re_authentication(httpserver):
    release = threading.Event()

    def slow_token(request):
        release.wait(timeout=0.35)
        return Response(json.dumps({"token": "tok-1", "expiraEm": FAR_FUTURE}), content_type="application/json")

    httpserver.expect_request(AUTH_PATH, method="POST").respond_with_handler(slow_token)
    httpserver.expect_request(OBJECTS_PATH).respond_with_json({"msgs": ["Token inválido"]}, status=401)
    started = time.monotonic()
    try:
        with pytest.raises(CorreiosUnavailable, match="timed out"):
            # Each call stays within its own 0.5 s read timeout; together they pass the 0.6 s budget.
            make_client(httpserver, read_timeout=0.5, total_timeout=0.6).fetch_events(CODE)
        assert time.monotonic() - started < 1.2
    finally:
        release.set()
    assert calls(httpserver, AUTH_PATH) <= 2


def test_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = CorreiosClient(f"http://127.0.0.1:{port}", "loja", SECRET, "0067599079", connect_timeout=0.5)
    with pytest.raises(CorreiosUnavailable):
        client.fetch_events(CODE)


@pytest.mark.parametrize("base_url", ["not a url", "ftp://127.0.0.1", "http://[::1", "http://"])
def test_broken_base_url_raises_correios_error(base_url):
    with pytest.raises(CorreiosError):
        CorreiosClient(base_url, "loja", SECRET, "1", connect_timeout=0.2).fetch_events(CODE)


@pytest.mark.parametrize("code", ["SS123456784BR", "", "../token", None, 123])
def test_invalid_codes_are_refused_without_a_request(httpserver, code):
    with pytest.raises(CorreiosError):
        make_client(httpserver).fetch_events(code)
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("args", "configured"),
    [
        (("https://api.correios.com.br", "u", "a", "c"), True),
        (("", "u", "a", "c"), False),
        (("https://api.correios.com.br", "", "a", "c"), False),
        (("https://api.correios.com.br", "u", "", "c"), False),
        (("https://api.correios.com.br", "u", "a", ""), False),
        ((None, None, None, None), False),
    ],
)
def test_is_configured(args, configured):
    client = CorreiosClient(*args)
    assert client.is_configured is configured
    if not configured:
        with pytest.raises(CorreiosError):
            client.fetch_events(CODE)


@pytest.fixture
def standin():
    server, base_url = start_in_thread()
    yield base_url
    server.shutdown()
    server.server_close()


def test_against_the_standin(standin):
    client = CorreiosClient(standin, "demo", "demo", "0000000000")
    events = client.fetch_events(CODE)
    assert 4 <= len(events) <= 6
    assert events == sorted(events, key=lambda event: event.when, reverse=True)
    assert events[0].code == "BDE"
    assert events[0].place.endswith("SAO PAULO/SP")
    assert events[-1].place.endswith("CURITIBA/PR")
    assert events[0].when < datetime.now(UTC)
    assert all(event.when.tzinfo is not None for event in events)
    with pytest.raises(CorreiosNotFound):
        client.fetch_events("SS000000005BR")


def test_standin_rejects_wrong_credentials(standin):
    with pytest.raises(CorreiosError):
        CorreiosClient(standin, "demo", "wrong", "0000000000").fetch_events(CODE)


def test_standin_binds_only_to_loopback():
    with pytest.raises(ValueError):
        start_in_thread("0.0.0.0")  # noqa: S104 - proves the stand-in refuses it
