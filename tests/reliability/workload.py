"""The soak's clients: shoppers, staff, a marketplace's webhooks and an ERP's API writes, each on its own session.

Every request is timed and recorded with its status (or the socket error it met); every write the portal
acknowledged (a redirect to the new ticket, a 2xx of the webhook or the API) is recorded with what identifies
it in the database: the ticket number, and a token written into each message's text.
"""
import datetime as dt
import hashlib
import hmac
import itertools
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

import requests

PASSWORD = "demo1234"  # noqa: S105 (the published demo login)
TIMEOUT = 30
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
_TICKET_PATH = re.compile(r"/tickets/([^/?#]+)")


@dataclass
class Sample:
    start: float  # monotonic
    seconds: float
    kind: str
    status: int | None  # None: a socket error (refused, reset, timeout)
    error: str = ""
    detail: str = ""  # the socket error's own words


@dataclass
class Ack:
    """A write the portal acknowledged: what it was and how to find it in the database."""

    kind: str  # ticket, message, order
    at: float
    ticket: str | None = None
    token: str | None = None
    order: str | None = None


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    tickets: list[str] = field(default_factory=list)  # store tickets opened by shoppers (staff answer them)
    market_tickets: list[tuple[str, str]] = field(default_factory=list)  # (channel code, marketplace ticket id)
    market_numbers: list[str] = field(default_factory=list)  # the portal's numbers of those tickets

    def sample(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def ack(self, ack: Ack) -> None:
        with self.lock:
            self.acks.append(ack)


class Client:
    """One simulated user with a session, an address of its own (X-Forwarded-For) and a record to write to."""

    def __init__(self, base: str, record: Record, number: int, seed: dict, rng: random.Random):
        self.base, self.record, self.seed, self.rng = base, record, seed, rng
        self.session = requests.Session()
        self.session.headers["X-Forwarded-For"] = f"10.{number // 250}.{number % 250}.7"
        self.signed_in = False

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        start = time.monotonic()
        try:
            response = self.session.request(method, self.base + path, timeout=TIMEOUT, allow_redirects=False,
                                            **kwargs)
        except requests.RequestException as error:
            self.record.sample(Sample(start, time.monotonic() - start, kind, None, type(error).__name__,
                                      str(error)[:300]))
            return None
        self.record.sample(Sample(start, time.monotonic() - start, kind, response.status_code))
        return response

    def log_in(self, email: str, password: str = PASSWORD, kind: str = "login") -> int | None:
        page = self.call(kind, "GET", "/login")
        if page is None or page.status_code != 200:
            return None
        answer = self.call(kind, "POST", "/login", data={"email": email, "password": password,
                                                        "csrf_token": _CSRF.search(page.text).group(1)})
        self.signed_in = answer is not None and answer.status_code == 302
        return answer.status_code if answer is not None else None

    def token_from(self, response: requests.Response | None) -> str | None:
        if response is None or response.status_code != 200:
            return None
        match = _CSRF.search(response.text)
        return match.group(1) if match else None


def _word() -> str:
    return "soak" + secrets.token_hex(6)


class Shopper(Client):
    """Browses orders, opens tickets about them and writes in her tickets."""

    def __init__(self, *args, email: str, orders: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.email, self.orders = email, orders
        self.own: list[str] = []

    def step(self) -> None:
        if not self.signed_in and self.log_in(self.email) != 302:
            return
        roll = self.rng.random()
        order = self.rng.choice(self.orders)
        if roll < 0.35:
            self.call("shopper_orders", "GET", "/orders")
        elif roll < 0.7:
            self.call("shopper_order", "GET", f"/orders/{order}")
        elif roll < 0.85 or not self.own:
            self.open_ticket(order)
        else:
            self.write(self.rng.choice(self.own))

    def open_ticket(self, order: str) -> None:
        reason = self.rng.choice(self.seed["reasons"])
        form = self.call("shopper_ticket_form", "GET", f"/orders/{order}/help?reason={reason}")
        csrf = self.token_from(form)
        if csrf is None:
            return
        token = _word()
        answer = self.call("shopper_ticket_new", "POST", f"/orders/{order}/help", data={
            "csrf_token": csrf, "reason": reason, "subject": f"Soak {token}", "body": f"Pedido {token}",
            "deflection": ""})
        if answer is not None and answer.status_code in (302, 303):
            match = _TICKET_PATH.search(answer.headers.get("Location", ""))
            if match:
                self.own.append(match.group(1))
                self.record.ack(Ack("ticket", time.monotonic(), ticket=match.group(1), token=token))
                with self.record.lock:
                    self.record.tickets.append(match.group(1))

    def write(self, ticket: str) -> None:
        page = self.call("shopper_ticket", "GET", f"/tickets/{ticket}")
        csrf = self.token_from(page)
        if csrf is None:
            return
        token = _word()
        answer = self.call("shopper_message", "POST", f"/tickets/{ticket}/reply",
                           data={"csrf_token": csrf, "body": f"Mais uma coisa {token}"})
        if answer is not None and answer.status_code in (302, 303):
            self.record.ack(Ack("message", time.monotonic(), ticket=ticket, token=token))


class Staff(Client):
    """Answers the tickets shoppers opened and the marketplace's, to the customer: e-mails and deliveries."""

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def step(self) -> None:
        if not self.signed_in and self.log_in(self.email) != 302:
            return
        with self.record.lock:
            choices = self.record.tickets[-50:] + self.record.market_numbers[-50:]
        if self.rng.random() < 0.3 or not choices:
            self.call("staff_queue", "GET", "/staff/")
            return
        ticket = self.rng.choice(choices)
        page = self.call("staff_ticket", "GET", f"/staff/tickets/{ticket}")
        if page is None or page.status_code != 200:
            return
        csrf, version = _CSRF.search(page.text), _VERSION.search(page.text)
        if not csrf or not version:
            return
        token = _word()
        answer = self.call("staff_reply", "POST", f"/staff/tickets/{ticket}/reply", data={
            "csrf_token": csrf.group(1), "version": version.group(1), "visibility": "customer",
            "body": f"Resposta {token}"})
        if answer is not None and answer.status_code in (302, 303):
            self.record.ack(Ack("message", time.monotonic(), ticket=ticket, token=token))


class Marketplace(Client):
    """A marketplace posting signed events: new tickets, and messages on the tickets it opened."""

    counter = itertools.count()

    def step(self) -> None:
        channel = self.rng.choice(self.seed["channels"])
        token = _word()
        with self.record.lock:
            known = [t for c, t in self.record.market_tickets if c == channel["code"]]
        when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        if known and self.rng.random() < 0.5:
            ticket_id = self.rng.choice(known)
            event = {"event_id": f"soak-{token}", "type": "message.created", "occurred_at": when,
                     "ticket": {"id": ticket_id, "order": channel["order"]},
                     "message": {"id": f"m-{token}", "body": f"Alguma novidade? {token}"}}
        else:
            ticket_id = f"SOAK-{token}"
            event = {"event_id": f"soak-{token}", "type": "ticket.created", "occurred_at": when,
                     "ticket": {"id": ticket_id, "order": channel["order"], "subject": f"Soak {token}"},
                     "message": {"id": f"m-{token}", "body": f"Onde está? {token}"}}
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        mac = hmac.new(channel["secret"].encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        answer = self.call("webhook", "POST", f"/api/v1/channels/{channel['code']}/events", data=body, headers={
            "Content-Type": "application/json", "X-Portal-Timestamp": stamp, "X-Portal-Signature": f"sha256={mac}"})
        if answer is not None and answer.status_code == 200:
            number = answer.json().get("ticket")
            self.record.ack(Ack("message", time.monotonic(), ticket=number, token=token))
            if event["type"] == "ticket.created":
                self.record.ack(Ack("ticket", time.monotonic(), ticket=number, token=token))
                with self.record.lock:
                    self.record.market_tickets.append((channel["code"], ticket_id))
                    self.record.market_numbers.append(number)


class Erp(Client):
    """An ERP writing orders through the API (PUT, idempotent) and reading them back."""

    def step(self) -> None:
        number = f"9{self.rng.randrange(10_000_000):07d}"
        email = self.rng.choice(["maria@demo.test", "joao@demo.test"])
        headers = {"Authorization": f"Bearer {self.seed['api_token']}"}
        answer = self.call("api_order_put", "PUT", f"/api/v1/orders/{number}", headers=headers, json={
            "customer": {"email": email, "name": "Soak"}, "placed_at": "2026-11-02T10:15:00-03:00",
            "totals": {"subtotal": "50.00", "shipping": "0", "discount": "0", "total": "50.00"},
            "items": [{"sku": "SOAK-01", "name": "Camiseta", "quantity": 1, "unit_price": "50.00"}]})
        if answer is not None and answer.status_code in (200, 201):
            self.record.ack(Ack("order", time.monotonic(), order=number))


class Prober(Client):
    """Signs in now and then, with a wrong password from one address and the right one from fresh sessions."""

    def step(self) -> None:
        if self.rng.random() < 0.5:
            self.log_in("joao@demo.test", "wrong password", kind="login_wrong")
        else:
            fresh = Client(self.base, self.record, self.rng.randrange(1000, 60000), self.seed, self.rng)
            fresh.log_in("maria@demo.test", kind="login_right")
        time.sleep(0.2)


def clients(base: str, record: Record, count: int, seed: dict, rng: random.Random) -> list[Client]:
    """Return `count` clients in the soak's mix: about half shoppers, then staff, marketplace, ERP, one prober."""
    made: list[Client] = [Prober(base, record, 0, seed, random.Random(rng.random()))]
    kinds = ["shopper", "shopper", "staff", "shopper", "market", "erp", "shopper", "staff", "market", "shopper"]
    for number in range(1, count):
        kind = kinds[number % len(kinds)]
        sub = random.Random(rng.random())
        if kind == "shopper":
            email = "maria@demo.test" if number % 2 else "joao@demo.test"
            made.append(Shopper(base, record, number, seed, sub, email=email, orders=seed["orders"][email]))
        elif kind == "staff":
            made.append(Staff(base, record, number, seed, sub, email=seed["staff"][number % len(seed["staff"])]))
        elif kind == "market":
            made.append(Marketplace(base, record, number, seed, sub))
        else:
            made.append(Erp(base, record, number, seed, sub))
    return made


def run(clients_: list[Client], seconds: float) -> None:
    """Run every client in its own thread for `seconds`."""
    stop = time.monotonic() + seconds

    def loop(client: Client) -> None:
        while time.monotonic() < stop:
            try:
                client.step()
            except Exception as error:  # noqa: BLE001 - a client's own bug is recorded, the load goes on
                client.record.sample(Sample(time.monotonic(), 0.0, "client_error", None, repr(error)[:200]))
                time.sleep(0.1)

    threads = [threading.Thread(target=loop, args=(client,), daemon=True) for client in clients_]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + TIMEOUT + 30)
