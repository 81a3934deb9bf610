"""Stand-in Correios API for demo mode and tests only: never a source of real tracking data.

It implements the two endpoints the client uses, accepts only user "demo" with access code "demo", answers a
canned history for any valid S10 code (SRO-020 "not found" when the serial starts with 0000) and binds only to
127.0.0.1. Run it with ``python -m trackers.correios_standin --host 127.0.0.1 --port 5055``.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from trackers.correios import _parse_objects
from trackers.s10 import parse_s10

DEMO_USER = "demo"
DEMO_ACCESS_CODE = "demo"
LOOPBACK = "127.0.0.1"
TOKEN_LIFETIME = timedelta(hours=1)
BRAZIL_TZ = timezone(timedelta(hours=-3))
OBJECTS_PREFIX = "/srorastro/v1/objetos/"
AUTH_PATH = "/token/v1/autentica/cartaopostagem"
NOT_FOUND_MESSAGE = "SRO-020: Objeto não encontrado na base de dados dos Correios."


def _unit(kind: str, city: str, state: str) -> dict:
    """Build a unit payload in the API's shape."""
    return {"tipo": kind, "endereco": {"cidade": city, "uf": state}}


def canned_events(now: datetime) -> list[dict]:
    """Return a plausible Curitiba-to-São Paulo history ending shortly before now, newest first."""
    curitiba = _unit("Agência dos Correios", "CURITIBA", "PR")
    hub = _unit("Unidade de Tratamento", "CURITIBA", "PR")
    sao_paulo = _unit("Unidade de Distribuição", "SAO PAULO", "SP")
    steps = [
        (timedelta(days=4, hours=3), "PO", "01", "Objeto postado", None, curitiba, None),
        (timedelta(days=3, hours=20), "RO", "01", "Objeto em trânsito - por favor aguarde", None, curitiba, hub),
        (timedelta(days=2, hours=6), "RO", "01", "Objeto em trânsito - por favor aguarde", None, hub, sao_paulo),
        (timedelta(hours=9), "OEC", "01", "Objeto saiu para entrega ao destinatário", None, sao_paulo, None),
        (timedelta(hours=2), "BDE", "01", "Objeto entregue ao destinatário", "Recebido por: J. S.", sao_paulo, None),
    ]
    events = []
    for ago, code, kind, description, detail, unit, destination in reversed(steps):
        event = {
            "codigo": code,
            "tipo": kind,
            "dtHrCriado": (now - ago).replace(microsecond=0).isoformat(),
            "descricao": description,
            "unidade": unit,
        }
        if detail:
            event["detalhe"] = detail
        if destination:
            event["unidadeDestino"] = destination
        events.append(event)
    return events


def canned_history(code: str, now: datetime) -> list[dict]:
    """Return the canned history as the client stores it (newest first, JSON-friendly), for a demo snapshot."""
    payload = {"objetos": [{"codObjeto": code, "eventos": canned_events(now)}]}
    return [event.to_dict() for event in _parse_objects(payload, code)]


class StandInServer(ThreadingHTTPServer):
    """Threading HTTP server that remembers the tokens it issued."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.tokens: dict[str, datetime] = {}
        self.tokens_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """Return the URL clients should use."""
        return f"http://{LOOPBACK}:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    """Answer the stand-in's two endpoints."""

    server: StandInServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        """Issue a token for the demo credentials."""
        if urlsplit(self.path).path != AUTH_PATH:
            return self._send(404, {"msgs": ["Recurso não encontrado"]})
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 65536))
        if not self._basic_auth_ok():
            return self._send(401, {"msgs": ["Usuário ou código de acesso inválido"]})
        token = secrets.token_urlsafe(24)
        now = datetime.now(BRAZIL_TZ)
        with self.server.tokens_lock:
            self.server.tokens[token] = now + TOKEN_LIFETIME
        expires = (now + TOKEN_LIFETIME).replace(tzinfo=None, microsecond=0)
        return self._send(201, {"ambiente": "DEMO", "token": token, "expiraEm": expires.isoformat()})

    def do_GET(self) -> None:
        """Answer the canned history for a valid code when the bearer token is good."""
        path = urlsplit(self.path).path
        if not path.startswith(OBJECTS_PREFIX):
            return self._send(404, {"msgs": ["Recurso não encontrado"]})
        if not self._bearer_ok():
            return self._send(401, {"msgs": ["Token inválido ou expirado"]})
        code = unquote(path[len(OBJECTS_PREFIX):])
        s10 = parse_s10(code)
        if s10 is None or not s10.valid:
            return self._send(200, {"objetos": [{"codObjeto": code, "mensagem": "SRO-019: Objeto inválido."}]})
        if s10.serial.startswith("0000"):
            return self._send(200, {"objetos": [{"codObjeto": s10.code, "mensagem": NOT_FOUND_MESSAGE}]})
        now = datetime.now(BRAZIL_TZ).replace(tzinfo=None)
        return self._send(200, {"objetos": [{"codObjeto": s10.code, "eventos": canned_events(now)}]})

    def _basic_auth_ok(self) -> bool:
        """Tell whether the request carries the demo user and access code."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return secrets.compare_digest(user, DEMO_USER) and secrets.compare_digest(password, DEMO_ACCESS_CODE)

    def _bearer_ok(self) -> bool:
        """Tell whether the request carries a token this server issued and that has not lapsed."""
        header = self.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self.server.tokens_lock:
            expires = self.server.tokens.get(token)
        return expires is not None and datetime.now(BRAZIL_TZ) < expires

    def _send(self, status: int, payload: dict) -> None:
        """Write a JSON answer."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _check_host(host: str) -> None:
    """Refuse any address but loopback so that the stand-in is never reachable from outside."""
    if host != LOOPBACK:
        raise ValueError(f"the stand-in Correios API binds only to {LOOPBACK}")


def start_in_thread(host: str = LOOPBACK, port: int = 0) -> tuple[StandInServer, str]:
    """Start the stand-in on a daemon thread and return the server and its base URL."""
    _check_host(host)
    server = StandInServer(port)
    threading.Thread(target=server.serve_forever, name="correios-standin", daemon=True).start()
    return server, server.base_url


def main(argv: list[str] | None = None) -> None:
    """Serve the stand-in until interrupted."""
    parser = argparse.ArgumentParser(description="Stand-in Correios API for demo mode and tests only.")
    parser.add_argument("--host", default=LOOPBACK, help="must be 127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    try:
        _check_host(args.host)
    except ValueError as exc:
        parser.error(str(exc))
    server = StandInServer(args.port)
    print(f"Stand-in Correios API (demo only) on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
