"""Fill a database, serve the portal and a bare Flask app under the same gunicorn, and drive each page.

    python -m bench [--rounds 3] [--duration 10] [--connections 16] [--workers 2] [--loadgen auto|wrk|python]
                    [--database-url URL] [--scale --orders N --tickets N] [--quick] [--no-docs]

Each page is driven in rounds that alternate the bare app and the portal; its ratio is the median, over the
rounds, of the portal's requests per second divided by the bare app's in the run just before. Statements per
request are counted in-process (the app's test client signed in as the same user, after one warm-up request).
"""
import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from . import loadgen

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PASSWORD = "demo1234"  # noqa: S105 (the published demo login)
SHOPPER, AGENT, OPERATOR, ADMIN = "maria@demo.test", "agente@demo.test", "operador@demo.test", "admin@demo.test"


@dataclass
class Page:
    name: str
    path: str
    user: str | None  # e-mail of the signed-in user; None for the API (bearer token)
    rows: list = field(default_factory=list)  # (bare Result, portal Result) per round
    queries: int | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Processes:
    """Start processes in their own groups and stop all of them, whatever happens."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict) -> subprocess.Popen:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


def gunicorn(procs: Processes, app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    binary = str(Path(sys.executable).with_name("gunicorn"))
    return procs.start([binary, "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}", "--backlog", "2048",
                        "--log-level", "warning", app], env)


def flask(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "flask", *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def sign_in(base: str, email: str) -> str:
    """Sign in through the login form; return the Cookie header of the session."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {answer.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def prepare(env: dict, scale: tuple[int, int] | None) -> None:
    flask(env, "db", "upgrade")
    flask(env, "demo", "load", "--if-empty")
    if scale:
        flask(env, "demo", "scale", "--orders", str(scale[0]), "--tickets", str(scale[1]))


def discover(env: dict) -> dict:
    """Find, in the filled database, what the pages show: an order, a ticket, the webhook's channel."""
    code = r"""
import json
from portal import create_app
from portal.extensions import db
from portal.models import Channel, Order, Ticket, User
app = create_app()
with app.app_context():
    maria = db.session.scalar(db.select(User).filter_by(email="maria@demo.test"))
    order = db.session.scalar(db.select(Order).filter_by(customer_id=maria.id).order_by(Order.id))
    tracked = db.session.scalar(db.select(Order).filter(Order.customer_id == maria.id,
        Order.shipping_code.like("%BR")).order_by(Order.id))
    ticket = db.session.scalar(db.select(Ticket).order_by(Ticket.id))
    channel = db.session.scalar(db.select(Channel).filter_by(integrated=True).order_by(Channel.id))
    market = db.session.scalar(db.select(Order).filter_by(channel_id=channel.id).order_by(Order.id))
    print(json.dumps({"order": order.number, "tracked": tracked.number if tracked else order.number,
                      "ticket": ticket.number, "channel": channel.code, "secret": channel.webhook_secret,
                      "market_order": market.marketplace_order_number or market.number if market else order.number}))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def count_queries(env: dict, pages: list[Page], token: str) -> None:
    """Count each page's statements in-process, signed in as its user, after a warm-up request."""
    code = r"""
import json, re, sys
from sqlalchemy import event
from portal import create_app
from portal.extensions import db
pages = json.loads(sys.argv[1]); token = sys.argv[2]
app = create_app({"RATELIMIT_ENABLED": False})
clients = {}
def client(email):
    if email not in clients:
        c = app.test_client()
        page = c.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        c.post("/login", data={"email": email, "password": "demo1234", "csrf_token": csrf})
        clients[email] = c
    return clients[email]
counts = {}
with app.app_context():
    engine = db.engine
for name, path, email in pages:
    c = client(email) if email else app.test_client()
    headers = {} if email else {"Authorization": "Bearer " + token}
    c.get(path, headers=headers)
    seen = []
    listener = lambda conn, cursor, statement, *a: seen.append(statement)
    event.listen(engine, "before_cursor_execute", listener)
    c.get(path, headers=headers)
    event.remove(engine, "before_cursor_execute", listener)
    counts[name] = len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))])
print(json.dumps(counts))
"""
    spec = json.dumps([(p.name, p.path, p.user) for p in pages])
    out = subprocess.run([sys.executable, "-c", code, spec, token], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    counts = json.loads(out.strip().splitlines()[-1])
    for page in pages:
        page.queries = counts.get(page.name)


def webhook(base: str, info: dict, connections: int, duration: float, env: dict) -> dict:
    """Post signed ticket.created events, each new and one in ten sent twice; count what was stored."""
    import hashlib
    import hmac

    host_port = base.removeprefix("http://")
    run_id = secrets.token_hex(4)
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")

    def make(n: int) -> bytes:
        event_n = n - n // 10 if n % 10 == 0 else n  # every tenth delivery repeats an earlier event
        body = json.dumps({
            "event_id": f"bench-{run_id}-{event_n}", "type": "ticket.created", "occurred_at": when,
            "ticket": {"id": f"BENCH-{run_id}-{event_n}", "order": info["market_order"], "subject": "Bench"},
            "message": {"id": f"m-{run_id}-{event_n}", "body": "Onde está meu pedido?"},
        }).encode()
        stamp = str(int(time.time()))
        mac = hmac.new(info["secret"].encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        head = (f"POST /api/v1/channels/{info['channel']}/events HTTP/1.1\r\nHost: {host_port}\r\n"
                f"Connection: close\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"X-Portal-Timestamp: {stamp}\r\nX-Portal-Signature: sha256={mac}\r\n\r\n")
        return head.encode() + body

    result = loadgen.python(base, make, connections, duration)
    code = r"""
import json, sys
from sqlalchemy import func, select
from portal import create_app
from portal.extensions import db
from portal.models import IntegrationEvent, Ticket
app = create_app()
prefix = sys.argv[1]
with app.app_context():
    tickets = db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.marketplace_ticket_code.like(prefix + "%")))
    codes = db.session.scalar(select(func.count(func.distinct(Ticket.marketplace_ticket_code))).where(
        Ticket.marketplace_ticket_code.like(prefix + "%")))
    print(json.dumps({"tickets": tickets, "distinct": codes}))
"""
    out = subprocess.run([sys.executable, "-c", code, f"BENCH-{run_id}-"], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    stored = json.loads(out.strip().splitlines()[-1])
    return {"result": result, "tickets": stored["tickets"], "duplicates": stored["tickets"] - stored["distinct"]}


def median_ratio(page: Page) -> float:
    return statistics.median(portal.rps / bare.rps if bare.rps else 0.0 for bare, portal in page.rows)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return (f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def table(pages: list[Page], hooks: dict | None, correios: dict | None, info: dict) -> str:
    lines = [
        f"Measured {dt.date.today().isoformat()} on {machine()}; database: {info['database']}; "
        f"load generator: {info['loadgen']}; gunicorn {info['workers']} sync workers, {info['connections']} "
        f"connections, {info['rounds']} rounds of {info['duration']:g} s per side.",
        "",
        "| page | req/s | p50 | p99 | errors | queries | bare req/s | ÷ bare Flask |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        portal = [p for _b, p in page.rows]
        bare = [b for b, _p in page.rows]
        p50, p99 = statistics.median(p.p50_ms for p in portal), statistics.median(p.p99_ms for p in portal)
        lines.append(
            f"| {page.name} `{page.path}` | {statistics.median(p.rps for p in portal):,.0f} | "
            f"{p50:.1f} ms | {p99:.1f} ms | "
            f"{sum(p.errors for p in portal)} | {page.queries if page.queries is not None else '?'} | "
            f"{statistics.median(b.rps for b in bare):,.0f} | **{median_ratio(page):.3f}** |")
    if hooks:
        r = hooks["result"]
        lines.append(f"| signed webhook ingest (deliveries/s; one in ten repeated) | {r.rps:,.0f} | "
                     f"{r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms | {r.errors} | – | – | duplicates: "
                     f"**{hooks['duplicates']}** ({hooks['tickets']} tickets) |")
    if correios:
        lines += ["", "| order page while shoppers open the Correios history | req/s | p50 | p99 | errors |",
                  "|---|---:|---:|---:|---:|"]
        for label, r in (("Correios healthy", correios["healthy"]), (f"Correios answering in "
                                                                      f"{correios['delay']:g} s", correios["slow"])):
            lines.append(f"| {label} | {r.rps:,.0f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms | {r.errors} |")
        lines.append(f"| p99 slow ÷ p99 healthy | | | **{correios['ratio']:.2f}** | |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text()
    block = f"{START}\n{text}\n{END}"
    if START in doc and END in doc:
        doc = doc[:doc.index(START)] + block + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(doc)


def correios_scenario(args, env: dict, procs: Processes, info: dict, kind: str) -> dict:
    """The order page's p99 while other shoppers open a Correios history, with Correios healthy and slow."""
    import threading

    results = {}
    for label, delay in (("healthy", 0.0), ("slow", args.correios_delay)):
        port, web = free_port(), free_port()
        standin = procs.start([sys.executable, "-m", "bench.slow_correios", str(port), str(delay)], env)
        scenario_env = dict(env, CORREIOS_BASE_URL=f"http://127.0.0.1:{port}", CORREIOS_USER="bench",
                            CORREIOS_ACCESS_CODE="bench", CORREIOS_CONTRACT_CARD="0067599079",
                            CORREIOS_CACHE_MINUTES="0")
        consumer = procs.start([str(Path(sys.executable).with_name("huey_consumer")), "portal.worker.huey", "-k",
                                "thread", "-w", "2", "-q"], scenario_env)
        server = gunicorn(procs, "wsgi:app", web, args.workers, scenario_env)
        base = f"http://127.0.0.1:{web}"
        wait_until_up(f"{base}/healthz")
        cookie = sign_in(base, SHOPPER)
        headers = {"Cookie": cookie}
        stop = threading.Event()

        def open_histories(url: str, headers: dict, stop: threading.Event):
            while not stop.is_set():
                with contextlib.suppress(requests.RequestException):
                    requests.get(url, headers=headers, timeout=15)
                time.sleep(0.05)

        history_url = f"{base}/orders/{info['tracked']}/tracking.json"
        openers = [threading.Thread(target=open_histories, args=(history_url, headers, stop), daemon=True)
                   for _ in range(4)]
        for thread in openers:
            thread.start()
        try:
            results[label] = loadgen.run(kind, f"{base}/orders/{info['order']}", headers, args.connections,
                                         args.duration)
        finally:
            stop.set()
            for thread in openers:
                thread.join(20)
            for proc in (server, consumer, standin):
                procs.stop(proc)
    healthy, slow = results["healthy"].p99_ms, results["slow"].p99_ms
    return {"healthy": results["healthy"], "slow": results["slow"], "delay": args.correios_delay,
            "ratio": slow / healthy if healthy else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--database-url", default="", help="default: a new SQLite file (the demo data)")
    parser.add_argument("--scale", action="store_true", help="add the scale filler's data (PostgreSQL)")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--correios-delay", type=float, default=10.0)
    parser.add_argument("--only", default="pages,webhook,correios",
                        help="what to run, comma-separated: pages, webhook, correios")
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s: checks that the harness works")
    parser.add_argument("--no-docs", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.correios_delay = 1, 1.0, 3.0
    if args.scale and not args.database_url.startswith("postgresql"):
        parser.error("--scale needs --database-url postgresql://...")
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if not parts or parts - {"pages", "webhook", "correios"}:
        parser.error("--only takes pages, webhook and correios")
    kind = "wrk" if args.loadgen == "wrk" or (args.loadgen == "auto" and loadgen.have_wrk()) else "python"

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    database = args.database_url or f"sqlite:///{workdir / 'portal.db'}"
    env = {k: v for k, v in os.environ.items() if k not in ("HUEY_IMMEDIATE", "REDIS_URL", "CORREIOS_BASE_URL")}
    env.update(PORTAL_INSTANCE_PATH=str(workdir), DATABASE_URL=database, FLASK_APP="wsgi", PORTAL_ENV="production",
               SECRET_KEY=secrets.token_hex(32), PORTAL_HTTPS="0", MAIL_BACKEND="file", PYTHONPATH=str(ROOT))
    procs = Processes()
    try:
        print(f"Filling {database} ...", file=sys.stderr, flush=True)
        prepare(env, (args.orders, args.tickets) if args.scale else None)
        info = discover(env)
        token = flask(env, "tokens", "create", "bench").strip().splitlines()[-1]
        pages = [
            Page("order page", f"/orders/{info['order']}", SHOPPER),
            Page("order list", "/orders", SHOPPER),
            Page("staff queue", "/staff/", AGENT),
            Page("staff queue, waiting tab", "/staff/?tab=waiting&sort=newest", AGENT),
            Page("ticket workspace", f"/staff/tickets/{info['ticket']}", AGENT),
            Page("merchant statuses", "/merchant-admin/statuses", ADMIN),
            Page("API order", f"/api/v1/orders/{info['order']}", None),
            Page("all orders", "/staff/orders", OPERATOR),
        ]
        count_queries(env, pages, token)

        bare_port, portal_port = free_port(), free_port()
        bare_env = dict(env)
        bare = gunicorn(procs, "bench.bare:app", bare_port, args.workers, bare_env)
        portal = gunicorn(procs, "wsgi:app", portal_port, args.workers, env)
        bare_url, base = f"http://127.0.0.1:{bare_port}/", f"http://127.0.0.1:{portal_port}"
        wait_until_up(bare_url)
        wait_until_up(f"{base}/healthz")
        cookies = {email: sign_in(base, email) for email in (SHOPPER, AGENT, OPERATOR, ADMIN)}
        for page in pages if "pages" in parts else ():
            headers = {"Cookie": cookies[page.user]} if page.user else {"Authorization": f"Bearer {token}"}
            check = requests.get(base + page.path, headers=headers, allow_redirects=False, timeout=10)
            if check.status_code != 200:
                raise RuntimeError(f"{page.name}: {page.path} answered {check.status_code}")
            for round_ in range(args.rounds):
                print(f"  {page.name}, round {round_ + 1}", file=sys.stderr, flush=True)
                bare_result = loadgen.run(kind, bare_url, {}, args.connections, args.duration)
                portal_result = loadgen.run(kind, base + page.path, headers, args.connections, args.duration)
                page.rows.append((bare_result, portal_result))
        hooks = webhook(base, info, args.connections, args.duration * args.rounds, env) if "webhook" in parts else None
        procs.stop(portal)
        procs.stop(bare)
        correios = None
        if "correios" in parts:
            print("  order page with Correios healthy and slow", file=sys.stderr, flush=True)
            correios = correios_scenario(args, env, procs, info, kind)
    finally:
        procs.stop_all()
    backend = "PostgreSQL" if database.startswith("postgresql") else "SQLite"
    pages = [page for page in pages if page.rows]
    text = table(pages, hooks, correios, {
        "database": f"{backend}, {'scale filler' if args.scale else 'the demo data'}", "loadgen": kind,
        "workers": args.workers, "connections": args.connections, "rounds": args.rounds, "duration": args.duration})
    print(text)
    if not args.no_docs:
        write_doc(text)
    failed = [page.name for page in pages if any(p.errors for _b, p in page.rows)]
    if failed or (hooks and (hooks["duplicates"] or hooks["result"].errors)):
        print(f"errors on: {', '.join(failed) or 'webhook'}", file=sys.stderr)
        return 1
    return 0
