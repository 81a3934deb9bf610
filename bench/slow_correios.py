"""A Correios API that takes its time (or answers at once): `python -m bench.slow_correios PORT DELAY`."""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    delay = 0.0

    def _answer(self, body: dict) -> None:
        time.sleep(self.delay)
        data = json.dumps(body).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the portal gave up waiting

    def do_POST(self):  # noqa: N802
        self._answer({"token": "bench", "expiraEm": "2099-01-01T00:00:00"})

    def do_GET(self):  # noqa: N802
        code = self.path.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
        self._answer({"objetos": [{"codObjeto": code, "eventos": [
            {"codigo": "PO", "tipo": "01", "dtHrCriado": "2026-11-03T09:15:00", "descricao": "Objeto postado",
             "unidade": {"tipo": "Agência", "endereco": {"cidade": "CURITIBA", "uf": "PR"}}}]}]})

    def log_message(self, *args):
        pass


def main() -> None:
    port, delay = int(sys.argv[1]), float(sys.argv[2])
    Handler.delay = delay
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
