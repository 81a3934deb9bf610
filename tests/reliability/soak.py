"""The soak: the portal under a mixed load while its database, Redis, mail server, marketplace and consumer fail.

    python -m tests.reliability.soak [--seconds 60] [--clients 64] [--workers 4] [--threads 4] [--no-docs]

One run starts a PostgreSQL cluster and a Redis server of its own, gunicorn, one Huey consumer, an SMTP server
and a marketplace endpoint (both down until the load ends), fills the database with the demo store, and runs
the clients of `workload` for the given time. A quarter of the way in PostgreSQL is stopped and started again;
past the half Redis is stopped and started again (empty). After the load the mail server and the marketplace
come up; the marketplace keeps the first delivery without an answer, the consumer is killed with SIGKILL in
the middle of it and started again. Then everything queued must arrive, once: `failures(report)` lists every
guarantee the run broke (docs/reliability.md, "Soak"), and `make soak` writes the figures to that section.
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.run import machine as bench_machine
from portal.core.mail import message_id

from ..deploy import cluster
from . import services, workload

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- soak:start -->", "<!-- soak:end -->"
BIN = Path(sys.executable).parent
# A sender presumed dead after this long (OUTBOX_LEASE_SECONDS): above the longest delivery set here (8 s).
LEASE_SECONDS = 20
# Idle seconds before gunicorn closes a client's connection, as behind a load balancer (docs/deployment.md):
# with the default 2 s, a worker whose loop is held up that long by a loaded machine closes a connection on
# which the client has just sent its next request, and the client sees a reset that no server fault caused.
KEEP_ALIVE = 30
# The portal must serve database pages again within this many seconds of PostgreSQL accepting connections.
RECOVERY_LIMIT = 15
# 503s are declared for requests begun from the stop until this long after the portal answered again
# (each gunicorn worker finds its pooled connections dead on its own next request).
OUTAGE_GRACE = 3.0

_SEED = r"""
import json, sys
from portal import create_app
from portal.extensions import db
from portal.models import Channel, Order, TicketReason, User
app = create_app()
market = sys.argv[1]
with app.app_context():
    channels = []
    for channel in db.session.scalars(db.select(Channel).where(Channel.integrated.is_(True)).order_by(Channel.id)):
        channel.outbound_url = f"{market}/{channel.code}/events"
        order = db.session.scalar(db.select(Order).filter_by(channel_id=channel.id).order_by(Order.id))
        if order is not None and channel.webhook_secret:
            channels.append({"code": channel.code, "secret": channel.webhook_secret,
                             "order": order.marketplace_order_number or order.number})
    db.session.commit()
    orders = {}
    for email in ("maria@demo.test", "joao@demo.test"):
        user = db.session.scalar(db.select(User).filter_by(email=email))
        orders[email] = list(db.session.scalars(db.select(Order.number).filter_by(customer_id=user.id)
                                                .order_by(Order.id).limit(20)))
    reasons = [r.id for r in db.session.scalars(db.select(TicketReason).where(TicketReason.active.is_(True)))
               if not r.about_delivery]
    print(json.dumps({"channels": channels, "orders": orders, "reasons": reasons}))
"""


class Timeline:
    """Moments of the run (monotonic seconds), written by the fault thread and read by the checks."""

    def __init__(self):
        self.marks: dict[str, float] = {}
        self.notes: dict[str, object] = {}

    def mark(self, name: str) -> float:
        self.marks[name] = time.monotonic()
        return self.marks[name]


def _engine(url: str):
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 3})


def _probe(base: str, session: requests.Session) -> int | str:
    """Return the status of the shopper's order list, or the socket error met."""
    try:
        return session.get(base + "/orders", timeout=10, allow_redirects=False).status_code
    except requests.RequestException as error:
        return type(error).__name__


def _faults(seconds: float, base: str, pg: services.Postgres, redis_: services.Redis, line: Timeline,
            began: float) -> None:
    """Stop PostgreSQL at a quarter of the run, Redis past the half; time the outages and the recovery."""
    probe = workload.Client(base, workload.Record(), 60001, {}, random.Random(1))
    probe.log_in("maria@demo.test")
    down = min(max(seconds * 0.08, 3.0), 6.0)

    time.sleep(max(0.0, began + seconds * 0.25 - time.monotonic()))
    line.mark("pg_stop")
    pg.stop()
    line.mark("pg_stopped")
    line.notes["pg_status_while_down"] = _probe(base, probe.session)
    time.sleep(down)
    line.mark("pg_start")
    pg.start()
    line.mark("pg_started")
    while _probe(base, probe.session) != 200 and time.monotonic() < line.marks["pg_started"] + 60:
        time.sleep(0.1)
    line.mark("pg_recovered")

    time.sleep(max(0.0, began + seconds * 0.6 - time.monotonic()))
    line.mark("redis_stop")
    redis_.stop()
    line.mark("redis_stopped")
    statuses: Counter = Counter()
    wrong = workload.Client(base, workload.Record(), 60002, {}, random.Random(2))
    deadline = time.monotonic() + down
    # Down for `down` seconds, and at least until one address's wrong passwords met the limit kept in memory.
    while time.monotonic() < deadline or (not statuses["wrong:429"] and time.monotonic() < deadline + 60):
        statuses[f"wrong:{wrong.log_in('joao@demo.test', 'not the password')}"] += 1
        if not statuses["right:302"] or statuses["wrong:429"]:
            right = workload.Client(base, workload.Record(), random.randrange(60003, 65000), {}, random.Random())
            statuses[f"right:{right.log_in('maria@demo.test')}"] += 1
    line.notes["redis_logins"] = dict(statuses)
    line.mark("redis_start")
    redis_.start()
    line.mark("redis_started")


def _kill_mid_delivery(market: services.Marketplace, worker: cluster.Process, env: dict, log: Path,
                       line: Timeline) -> cluster.Process:
    """Let the marketplace hold the next delivery, SIGKILL the consumer meanwhile, and start a new one."""
    market.hold_next()
    held = market.holding.wait(240)
    line.notes["held"] = held
    line.mark("consumer_kill")
    worker.proc.kill()
    worker.proc.wait(10)
    worker.stop()
    time.sleep(0.3)
    market.release()
    line.mark("consumer_restart")
    return cluster.Process([str(BIN / "huey_consumer"), "portal.worker.huey", "-w", "1", "-k", "thread"], env, log)


def _outbox(url: str) -> list[dict]:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, kind, key, state, attempts, created_at FROM outbox ORDER BY id"))
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def _drained(url: str, smtp: services.Smtp, market: services.Marketplace) -> bool:
    rows = _outbox(url)
    if any(row["state"] in ("queued", "sending") for row in rows):
        return False
    mails = sum(1 for row in rows if row["kind"] == "email" and row["state"] == "delivered")
    deliveries = sum(1 for row in rows if row["kind"] == "marketplace" and row["state"] == "delivered")
    return sum(smtp.counts().values()) >= mails and sum(market.counts()[0].values()) >= deliveries


def _missing(url: str, acks: list[workload.Ack]) -> list[str]:
    """Return every acknowledged write that is not in the database, looked up by ticket number and token."""
    engine = _engine(url)
    missing = []
    try:
        with engine.connect() as conn:
            tickets = set(conn.execute(text("SELECT number FROM tickets")).scalars())
            orders = set(conn.execute(text("SELECT number FROM orders")).scalars())
            bodies: dict[str, list[str]] = {}
            for number, body in conn.execute(text(
                    "SELECT t.number, m.body_html FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id"
                    " WHERE m.body_html LIKE '%soak%'")):
                bodies.setdefault(number, []).append(body)
    finally:
        engine.dispose()
    for ack in acks:
        if ack.kind == "order" and ack.order not in orders:
            missing.append(f"order {ack.order}")
        elif ack.kind == "ticket" and ack.ticket not in tickets:
            missing.append(f"ticket {ack.ticket}")
        elif ack.kind == "message" and not any(ack.token in body for body in bodies.get(ack.ticket, [])):
            missing.append(f"message {ack.token} on ticket {ack.ticket}")
    return missing


def _tracebacks(log: str) -> list[str]:
    """Return, for every traceback in a log, the line that came before it (what was being done)."""
    lines = log.splitlines()
    return [lines[i - 1][:200] if i else "" for i, line in enumerate(lines) if line.startswith("Traceback")]


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(seconds: float = 60, clients: int = 64, workers: int = 4, threads: int = 4, drain_timeout: float = 360,
        workdir: Path | None = None) -> dict:
    """Run the soak and return its report (figures, and what `failures` checks)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pg = redis_ = server = worker = None
    smtp, market = services.Smtp(), services.Marketplace()
    try:
        pg = services.Postgres()
        redis_ = services.Redis()
        env = cluster.portal_env(pg.url, workdir / "instance", REDIS_URL=redis_.url, HUEY_NAME="soak",
                                 MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port),
                                 MAIL_TIMEOUT="5", PROXY_FIX_HOPS="1", OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
                                 MARKETPLACE_CONNECT_TIMEOUT="2", MARKETPLACE_READ_TIMEOUT="6",
                                 MARKETPLACE_TOTAL_TIMEOUT="8", DATABASE_CONNECT_TIMEOUT="3")
        printed = cluster.flask(env, ["db", "upgrade"], ["bootstrap"], ["demo", "load"], ["tokens", "create", "soak"])
        done = subprocess.run([sys.executable, "-c", _SEED, f"http://127.0.0.1:{market.port}"],  # noqa: S603
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
        seed = json.loads(done.stdout.strip().splitlines()[-1])
        seed["api_token"] = printed.strip().splitlines()[-1]
        seed["staff"] = ["agente@demo.test", "operador@demo.test", "admin@demo.test"]

        server = cluster.Process([str(BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads",
                                  str(threads), "-b", f"127.0.0.1:{(port := services.free_port())}", "--timeout", "60",
                                  "--backlog", "2048", "--keep-alive", str(KEEP_ALIVE), "wsgi:app"], env,
                                 workdir / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        cluster.wait_for(lambda: isinstance(_probe(base, requests.Session()), int), 60)
        consumer_log = workdir / "consumer.log"
        worker = cluster.Process([str(BIN / "huey_consumer"), "portal.worker.huey", "-w", "1", "-k", "thread"], env,
                                 consumer_log)

        record = workload.Record()
        crowd = workload.clients(base, record, clients, seed, random.Random(7))
        for client in crowd:
            email = getattr(client, "email", None)
            if email:
                client.log_in(email)
        record.samples.clear()

        line = Timeline()
        began = line.mark("load_start")
        faults = threading.Thread(target=_faults, args=(seconds, base, pg, redis_, line, began), daemon=True)
        faults.start()
        workload.run(crowd, seconds)
        line.mark("load_end")
        faults.join(120)

        smtp.up()
        market.up()
        line.mark("receivers_up")
        worker = _kill_mid_delivery(market, worker, env, consumer_log, line)
        drained = cluster.wait_for(lambda: _drained(pg.url, smtp, market), drain_timeout, interval=1.0)
        line.mark("drained")
        time.sleep(2)  # anything sent twice would arrive now

        report = _report(seconds, clients, workers, threads, record, line, pg.url, smtp, market,
                         server.output() + "\n" + worker.output(), server.output(), bool(drained))
        report["dir"] = str(workdir)
        return report
    finally:
        for process in (worker, server):
            if process is not None:
                process.stop()
        smtp.down()
        market.down()
        for service in (redis_, pg):
            if service is not None:
                service.close()


def _report(seconds, clients, workers, threads, record, line, url, smtp, market, logs, web_log, drained) -> dict:
    marks = {name: round(moment - line.marks["load_start"], 2) for name, moment in line.marks.items()}
    outage = (line.marks["pg_stop"], line.marks["pg_recovered"] + OUTAGE_GRACE)
    samples = record.samples
    by_status = Counter(str(s.status) if s.status is not None else f"socket:{s.error}" for s in samples)
    undeclared, undeclared_seen = Counter(), []
    for s in samples:
        in_outage = s.start <= outage[1] and s.start + s.seconds >= outage[0]
        if s.status is None or (s.status >= 500 and not (s.status == 503 and in_outage)):
            undeclared[f"{s.kind}:{s.status if s.status is not None else s.error}"] += 1
            undeclared_seen.append(f"{s.kind} at {s.start - line.marks['load_start']:.2f} s for "
                                   f"{s.seconds:.2f} s: {s.status or s.error} {s.detail}".rstrip())
    timed = [s.seconds * 1000 for s in samples if s.status is not None]
    rows = _outbox(url)
    mails = {message_id(row["key"]): row for row in rows if row["kind"] == "email"}
    deliveries = {row["key"]: row for row in rows if row["kind"] == "marketplace"}
    received_mail = smtp.counts()
    answered, cut_off = market.counts()
    redis_window = (line.marks["redis_stop"], line.marks["redis_started"])
    acks = record.acks
    return {
        "seconds": seconds, "clients": clients, "workers": workers, "threads": threads,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": bench_machine(),
        "requests": len(samples), "rps": round(len(samples) / seconds, 1),
        "p50_ms": round(statistics.median(timed), 1) if timed else 0.0,
        "p99_ms": round(_percentile(timed, 0.99), 1),
        "by_status": dict(sorted(by_status.items())), "undeclared_errors": dict(undeclared),
        "undeclared_seen": undeclared_seen[:10],
        "by_kind": dict(sorted(Counter(s.kind for s in samples).items())),
        "marks": marks,
        "pg_down_s": round(line.marks["pg_started"] - line.marks["pg_stop"], 2),
        "pg_recovery_s": round(line.marks["pg_recovered"] - line.marks["pg_started"], 2),
        "pg_status_while_down": line.notes.get("pg_status_while_down"),
        "redis_down_s": round(redis_window[1] - redis_window[0], 2),
        "redis_logins": line.notes.get("redis_logins", {}),
        "acks": dict(Counter(a.kind for a in acks)),
        "acks_during_redis_outage": sum(1 for a in acks if redis_window[0] <= a.at <= redis_window[1]),
        "missing": _missing(url, acks),
        "outbox": dict(Counter(f"{row['kind']}:{row['state']}" for row in rows)),
        "outbox_retried": sum(1 for row in rows if (row["attempts"] or 0) > 0),
        "mail_expected": len(mails), "mail_received": sum(received_mail.values()),
        "mail_twice": sorted(key for key, n in received_mail.items() if n > 1),
        "mail_unknown": sorted(key for key in received_mail if key not in mails),
        "mail_lost": sorted(key for key in mails if received_mail[key] == 0),
        "deliveries_expected": len(deliveries), "deliveries_received": sum(answered.values()),
        "deliveries_twice": sorted(key for key, n in answered.items() if n > 1),
        "deliveries_unknown": sorted(key for key in answered if key not in deliveries),
        "deliveries_lost": sorted(key for key in deliveries if answered[key] == 0),
        "cut_off_by_kill": sum(cut_off.values()), "held": line.notes.get("held"),
        "drained": drained, "drain_s": round(line.marks["drained"] - line.marks["receivers_up"], 1),
        "tracebacks": _tracebacks(logs), "unhandled": len(re.findall(r"Unhandled error", web_log)),
        "database_unavailable_logged": len(re.findall(r"Database unavailable", web_log)),
    }


def failures(report: dict) -> list[str]:
    """Return every guarantee of the soak that the run broke, as sentences; empty when all held."""
    problems = []
    if report["undeclared_errors"]:
        problems.append(f"5xx or socket errors outside the declared outage: {report['undeclared_errors']} "
                        f"(marks {report['marks']}; {report['undeclared_seen']})")
    if report["missing"]:
        problems.append(f"acknowledged writes not in the database: {report['missing'][:20]}")
    if report["pg_recovery_s"] > RECOVERY_LIMIT:
        problems.append(f"database pages back only {report['pg_recovery_s']} s after PostgreSQL was up")
    if report["pg_status_while_down"] != 503:
        problems.append(f"a page while PostgreSQL was down answered {report['pg_status_while_down']}, not 503")
    if report["tracebacks"] or report["unhandled"]:
        problems.append(f"tracebacks in the logs after: {report['tracebacks'][:10]}")
    logins = report["redis_logins"]
    if not logins.get("right:302") or any(key.endswith(":500") or key.endswith(":None") for key in logins):
        problems.append(f"sign-ins while Redis was down: {logins}")
    if not logins.get("wrong:429"):
        problems.append(f"the per-address limit did not hold from memory while Redis was down: {logins}")
    if not report["acks_during_redis_outage"]:
        problems.append("no write was acknowledged while Redis was down")
    if not report["drained"]:
        problems.append(f"the outbox did not empty: {report['outbox']}")
    if set(report["outbox"]) - {"email:delivered", "marketplace:delivered"}:
        problems.append(f"outbox rows not delivered: {report['outbox']}")
    for what in ("mail", "deliveries"):
        for how in ("twice", "unknown", "lost"):
            if report[f"{what}_{how}"]:
                problems.append(f"{what} {how}: {report[f'{what}_{how}'][:10]}")
    if not report["deliveries_expected"] or not report["mail_expected"]:
        problems.append("the load queued no e-mail or no marketplace delivery")
    if not report["held"] or not report["cut_off_by_kill"]:
        problems.append("the consumer was not killed in the middle of a delivery")
    return problems


def figures(report: dict) -> str:
    """Return the Markdown block of a run's figures for docs/reliability.md."""
    statuses = ", ".join(f"{key}: {value:,}" for key, value in report["by_status"].items())
    logins = ", ".join(f"{key}: {value}" for key, value in sorted(report["redis_logins"].items()))
    verdict = "all guarantees held" if not failures(report) else "FAILED: " + "; ".join(failures(report))
    return "\n".join([
        f"Last run {report['date']} on {report['machine']}: {report['seconds']:g} s, {report['clients']} clients, "
        f"gunicorn {report['workers']} workers × {report['threads']} threads, one consumer (`-w 1`); {verdict}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| requests | {report['requests']:,} ({report['rps']:,} per second) |",
        f"| latency p50 / p99 | {report['p50_ms']} ms / {report['p99_ms']} ms |",
        f"| answers by status | {statuses} |",
        f"| 5xx and socket errors outside the declared outage | {sum(report['undeclared_errors'].values())} |",
        f"| acknowledged writes (looked up by number and token) | {report['acks']}; "
        f"missing: {len(report['missing'])} |",
        f"| PostgreSQL down (stop to accepting again) | {report['pg_down_s']} s; pages back "
        f"{report['pg_recovery_s']} s after; 503s logged as `Database unavailable`: "
        f"{report['database_unavailable_logged']}; tracebacks: "
        f"{len(report['tracebacks'])} |",
        f"| Redis down | {report['redis_down_s']} s; sign-ins meanwhile: {logins}; writes acknowledged meanwhile: "
        f"{report['acks_during_redis_outage']} |",
        f"| outbox after the run | {report['outbox']}; {report['outbox_retried']} rows needed more than one try |",
        f"| e-mails at the SMTP server (by Message-ID) | {report['mail_received']:,} of {report['mail_expected']:,}; "
        f"twice: {len(report['mail_twice'])}; lost: {len(report['mail_lost'])} |",
        f"| deliveries at the marketplace (by event id) | {report['deliveries_received']:,} of "
        f"{report['deliveries_expected']:,}; twice: {len(report['deliveries_twice'])}; lost: "
        f"{len(report['deliveries_lost'])}; cut off by the SIGKILL and sent again: {report['cut_off_by_kill']} |",
        f"| receivers up to everything delivered | {report['drain_s']} s (retry back-off, the {LEASE_SECONDS} s lease "
        "of the killed delivery, the minute's sweep) |",
    ])


def write_doc(block: str) -> None:
    doc = DOC.read_text()
    framed = f"{START}\n{block}\n{END}"
    if START in doc and END in doc:
        doc = doc[:doc.index(START)] + framed + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip() + "\n\n" + framed + "\n"
    DOC.write_text(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "60")))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", "64")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SOAK_WORKERS", "4")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SOAK_THREADS", "4")))
    parser.add_argument("--no-docs", action="store_true", help="print the figures; leave docs/reliability.md alone")
    args = parser.parse_args(argv)
    try:
        report = run(args.seconds, args.clients, args.workers, args.threads)
    except services.Unavailable as missing:
        print(f"soak: {missing}", file=sys.stderr)
        return 2
    block = figures(report)
    print(json.dumps(report, indent=1, default=str))
    print(block)
    if not args.no_docs:
        write_doc(block)
    problems = failures(report)
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
