"""Stored XSS in a real browser: hostile text written through the portal's own forms and API, then shown.

Every payload of tests/security/xss_corpus.py is written into the free-text fields the portal keeps (store,
status, channel and reason names, text modules, staff and token names, the shopper's name and addresses, ticket
subjects, messages, internal notes, refund, cancellation, escalation, forward and price reasons, survey comments,
product names) through the same HTTP forms a person uses and the API a back office uses. Chromium then opens
every page that shows them, and every e-mail the portal wrote, and the test asserts that nothing ran: no dialog,
no call of the sentinel, no script error, no Content-Security-Policy violation, and the payload text on the page.

The portal here has its own database, so that the hostile records never reach the pages other browser tests
look at.
"""
import re
from collections import defaultdict
from email import message_from_bytes, policy
from functools import partial
from pathlib import Path

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db as _db
from portal.models import Role, Ticket, TicketReason, TicketStatus, TicketSurvey
from portal.tickets import survey as survey_links

from ..factories import PASSWORD, Factory
from ..live import serve
from ..security.crawl import _Parser
from ..security.xss_corpus import CORPUS, MARKER_PATTERN

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Records the sentinel's calls, dialogs aside, and every CSP violation, through a binding that outlives a
# navigation the payload might cause.
WATCH = """
(() => {
  const report = (kind, detail) => { try { window.__xssReport(kind, String(detail)); } catch (e) {} };
  const hit = (n) => report('call', n);
  for (const name of ['__xss', '__XSS', 'ALERT', '__x' + 'ss']) {
    Object.defineProperty(window, name, { value: hit, writable: false, configurable: false });
  }
  document.addEventListener('securitypolicyviolation', (e) =>
    report('csp', `${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`), true);
})();
"""
# Markup that no page of the portal carries and that a payload would bring: a handler attribute, a script URL,
# an inline script, a frame, a plugin, a refresh or a new base. Found, it means escaping failed, even when the
# CSP kept it from running or it waits for a click.
INJECTED = r"""() => {
  const found = [];
  const script = /^(javascript|vbscript|data):/i;
  const urls = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'object', 'embed', 'base', 'portal', 'applet', 'frame'].includes(tag)
        || (tag === 'meta' && el.hasAttribute('http-equiv')) || (tag === 'script' && !el.src)
        || (tag === 'link' && el.rel !== 'stylesheet' && el.rel !== 'icon')) {
      found.push(`<${tag}>`);
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\u0000-\u0020]/g, '');
      const image = tag === 'img' && name === 'src' && /^data:image\//i.test(value);
      if (name.startsWith('on') || name === 'srcdoc' || (urls.includes(name) && script.test(value) && !image)) {
        found.push(`<${tag} ${name}=${attr.value.slice(0, 60)}>`);
      }
    }
  }
  return found;
}"""
VISIBLE_TEXT = """() => [document.title, document.body ? document.body.innerText : '',
  ...[...document.querySelectorAll('input, textarea, option')].map((e) => e.value || e.textContent || '')
].join('\\n')"""

# Each field's length limit; payloads are packed into records up to it.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIMITS = {"short": 74, "name": 100, "label": 190, "reason": 480, "body": 4_900}


class Seeder:
    """Write payloads through the portal's forms and API; remember which markers went into which field."""

    def __init__(self, app):
        self.app = app
        self.fields: dict[str, set[str]] = defaultdict(set)
        self.next = 0
        self.clients = {}

    def take(self, field: str, limit: int, joiner: str = " ", controls: bool = True) -> str:
        """The next payloads of the corpus, as many as fit in the limit (at least one), recorded for the field;
        without `controls`, those with a control character (which the API refuses) are left to other fields."""
        parts = []
        while True:
            payload = CORPUS[self.next % len(CORPUS)]
            if parts and len(joiner.join([*parts, payload.text])) > limit:
                break
            if len(payload.text) > limit or not controls and CONTROL.search(payload.text):
                self.next += 1
                continue
            parts.append(payload.text)
            self.fields[field].add(payload.marker)
            self.next += 1
        return joiner.join(parts)

    def every(self, field: str, joiner: str = "\n", per: int = 60, backwards: bool = False) -> list[str]:
        """The whole corpus, in bodies of `per` payloads, recorded for the field and for "field:index".

        Backwards, a payload that swallows the markup after it (an unclosed comment) no longer hides the same
        neighbours."""
        corpus, bodies = CORPUS[::-1] if backwards else CORPUS, []
        for index, start in enumerate(range(0, len(corpus), per)):
            chunk = corpus[start:start + per]
            for name in (field, f"{field}:{index}"):
                self.fields[name].update(payload.marker for payload in chunk)
            bodies.append(joiner.join(payload.text for payload in chunk))
        return bodies

    def client(self, email):
        if email not in self.clients:
            client = self.app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
            self.submit(client, "/login", "/login", {"email": email, "password": PASSWORD})
            self.clients[email] = client
        return self.clients[email]

    def submit(self, client, page: str, action: str, values: dict, expect=(302, 303)) -> str:
        """Open the page, fill its form for the action as a browser would, post it; return where it led."""
        html = client.get(page)
        assert html.status_code == 200, (page, html.status_code)
        parser = _Parser(page)
        parser.feed(html.get_data(as_text=True))
        forms = [form for form in parser.forms if form.action.split("?")[0] == action]
        assert forms, f"no form posting to {action} on {page}"
        form = forms[0]
        blank = {control.name: "" for control in form.controls.values()
                 if control.kind in ("text", "textarea", "url", "email") and not control.default}
        answer = client.post(form.action, data={**form.baseline(), **blank, **values})
        text = answer.get_data(as_text=True)
        errors = re.findall(r'class="field__errors"[^>]*>(.*?)</', text, re.S)
        assert answer.status_code in expect, (action, answer.status_code, errors or text[:500])
        return answer.headers.get("Location", "")


@pytest.fixture(scope="module")
def portal(tmp_path_factory, correios_url):
    """A portal of its own, served for the browser, with a file mailbox."""
    folder = tmp_path_factory.mktemp("xss")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "xss-tests", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
        "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "file", "MAIL_DIR": str(folder / "mail"),
        "CORREIOS_BASE_URL": correios_url, "CORREIOS_USER": "demo", "CORREIOS_ACCESS_CODE": "demo",
        "CORREIOS_CONTRACT_CARD": "0067599079",
    })
    with app.app_context():
        upgrade()
    with serve(app, "xss-portal") as served:
        served.mail_dir = folder / "mail"
        yield served


ADMIN, AGENT, OPERATOR, SHOPPER = ("admin@xss.test", "agente@xss.test", "operador@xss.test",
                                   "compradora@xss.test")


def _world(app):
    with app.app_context():
        make = Factory(_db)
        make.user(Role.admin, email=ADMIN, name="Alice Admin")
        make.user(Role.agent, email=AGENT, name="Ana Agente")
        make.user(Role.operator, email=OPERATOR, name="Olga Operadora")
        shopper = make.user(email=SHOPPER, name="Joana Lima")
        make.channel("mercado_livre", "Mercado Livre")
        orders = [make.order(shopper, "ENVIADO", paid=True, shipped=True, number=f"77000{i}", items=3)
                  for i in range(1, 4)]
        token = make.api_token("xss")
        _db.session.commit()
        return [order.number for order in orders], token


def _seed_store(seed: Seeder):
    admin = seed.client(ADMIN)
    seed.submit(admin, "/merchant-admin/settings", "/merchant-admin/settings",
                {"store_name": seed.take("store_name", 120)})
    for _ in range(8):
        seed.submit(admin, "/merchant-admin/statuses/new", "/merchant-admin/statuses/new",
                    {"name": seed.take("status", LIMITS["short"]).upper()})
    for code in range(6):
        seed.submit(admin, "/merchant-admin/channels/new", "/merchant-admin/channels/new",
                    {"name": seed.take("channel", LIMITS["name"]), "code": f"xss{code}",
                     "outbound_url": "", "seller_portal_url": ""})
    for _ in range(6):
        seed.submit(admin, "/merchant-admin/ticket-reasons", "/merchant-admin/ticket-reasons",
                    {"label": seed.take("reason", LIMITS["label"])})
    for body in seed.every("text_module")[:4]:
        seed.submit(admin, "/merchant-admin/text-modules/new", "/merchant-admin/text-modules/new",
                    {"title": seed.take("text_module_title", 120), "body": body[:5000]})
    for index in range(4):
        seed.submit(admin, "/merchant-admin/staff", "/merchant-admin/staff",
                    {"email": f"colega{index}@xss.test", "name": seed.take("staff_name", LIMITS["label"]),
                     "password": "another horse 2", "role": "agent"})
    for _ in range(4):
        seed.submit(admin, "/merchant-admin/tokens", "/merchant-admin/tokens",
                    {"name": seed.take("token", LIMITS["name"])}, expect=(200, 302, 303))


def _seed_shopper(seed: Seeder, numbers) -> list[str]:
    shopper = seed.client(SHOPPER)
    seed.submit(shopper, "/account", "/account", {"name": seed.take("customer_name", LIMITS["label"])})
    for _ in range(3):
        seed.submit(shopper, "/account/addresses/new", "/account/addresses/new", {
            "label": seed.take("address", 60), "name": seed.take("address", LIMITS["label"]),
            "street": seed.take("address", LIMITS["label"]), "complement": seed.take("address", 100),
            "district": seed.take("address", 100), "city": seed.take("address", 100),
            "postal_code": "01001-000", "number": "10", "state": "SP"})
    with seed.app.app_context():
        reason = _db.session.scalar(_db.select(TicketReason.id).where(TicketReason.active.is_(True))
                                    .order_by(TicketReason.id.desc()).limit(1))
    tickets = []
    bodies = seed.every("customer_message")
    for index, number in enumerate(numbers):
        page = f"/orders/{number}/help?reason={reason}&need_help=1"
        location = seed.submit(shopper, page, f"/orders/{number}/help",
                               {"subject": seed.take("subject", LIMITS["label"]), "body": bodies[index]})
        tickets.append(location.rsplit("/", 1)[1])
    for body in bodies[len(numbers):]:
        seed.submit(shopper, f"/tickets/{tickets[0]}", f"/tickets/{tickets[0]}/reply", {"body": body})
    return tickets


def _seed_staff(seed: Seeder, tickets):
    agent = seed.client(AGENT)
    first, second, third = tickets
    workspace = f"/staff/tickets/{first}"
    for body in seed.every("staff_answer"):
        seed.submit(agent, workspace, f"{workspace}/reply", {"body": body, "visibility": "customer"})
    for body in seed.every("internal_note", backwards=True):
        seed.submit(agent, workspace, f"{workspace}/reply", {"body": body, "visibility": "internal"})
    for _ in range(2):
        seed.submit(agent, workspace, f"{workspace}/refund",
                    {"amount": "1,00", "reason": seed.take("refund_reason", LIMITS["reason"])})
    seed.submit(agent, workspace, f"{workspace}/cancel-unit",
                {"quantity": "1", "reason": seed.take("cancel_reason", LIMITS["reason"])})
    seed.submit(agent, f"/staff/tickets/{second}", f"/staff/tickets/{second}/escalate",
                {"note": seed.take("escalation_note", 1_900)}, expect=(302, 303, 422))
    seed.submit(agent, f"/staff/tickets/{second}", f"/staff/tickets/{second}/forward",
                {"note": seed.take("forward_note", 1_900)})
    seed.submit(agent, f"/staff/tickets/{third}", f"/staff/tickets/{third}/close", {})


def _seed_api(seed: Seeder, token: str, numbers):
    client = seed.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for index in range(6):
        answer = client.put(f"/api/v1/products/XSS-{index}", headers=headers,
                            json={"name": seed.take("product", 290, controls=False), "price": "49.90", "stock": 5})
        assert answer.status_code in (200, 201), answer.get_json()
    answer = client.post(f"/api/v1/orders/{numbers[2]}/tickets", headers=headers, json={
        "subject": seed.take("api_subject", LIMITS["label"], controls=False),
        "message": seed.take("api_message", 4_000, controls=False),
        "marketplace_ticket_code": "XSS-T-1"})
    assert answer.status_code in (200, 201), answer.get_json()
    return answer.get_json()["number"]


def _seed_survey(seed: Seeder, ticket_number: str) -> str:
    with seed.app.app_context():
        waiting = _db.session.scalar(_db.select(TicketSurvey).join(Ticket).where(Ticket.number == ticket_number))
        token = survey_links.token_for(waiting)
    page = f"/survey/{token}"
    seed.submit(seed.client(SHOPPER), page, page, {"rating": "2", "comment": seed.take("survey_comment", 1_900)},
                expect=(200, 302, 303))
    return page


@pytest.fixture(scope="module")
def seeded(portal):
    app = portal.app
    numbers, token = _world(app)
    seed = Seeder(app)
    _seed_store(seed)
    tickets = _seed_shopper(seed, numbers)
    _seed_staff(seed, tickets)
    api_ticket = _seed_api(seed, token, numbers)
    _seed_survey(seed, tickets[2])
    assert portal.errors == []
    return seed, numbers, [*tickets, api_ticket]


class Watch:
    """What one page did: the sentinel's calls, dialogs, CSP violations, script errors."""

    def __init__(self, context):
        self.events: list[tuple[str, str]] = []
        context.expose_binding("__xssReport", lambda _source, kind, detail: self.events.append((kind, detail)))
        context.add_init_script(WATCH)

    def attach(self, page):
        page.on("dialog", lambda dialog: (self.events.append(("dialog", dialog.message)), dialog.dismiss()))
        page.on("pageerror", lambda error: self.events.append(("pageerror", str(error))))
        page.on("console", lambda message: message.type == "error" and "Content Security Policy" in message.text
                and self.events.append(("csp-console", message.text)))
        return page


def _visit(page, watch: Watch, url: str) -> tuple[list, set[str]]:
    seen = len(watch.events)
    response = page.goto(url, wait_until="load")
    if response is not None and response.status != 200:
        watch.events.append(("status", str(response.status)))
    page.wait_for_timeout(150)  # timers, animations and autofocus a payload might use
    markers = set(re.findall(MARKER_PATTERN, page.evaluate(VISIBLE_TEXT)))
    injected = [("injected", markup) for markup in page.evaluate(INJECTED)]
    return watch.events[seen:] + injected, {f"XSS{number}" for number in markers}


def _pages(numbers, tickets):
    """Each page as (identity, url, fields it must show)."""
    first, second, third, from_api = tickets
    queue = [(AGENT, f"/staff/?tab={tab}", []) for tab in TicketStatus]
    return [
        (SHOPPER, "/orders", ["store_name"]),
        (SHOPPER, f"/orders/{numbers[0]}", ["store_name"]),
        (SHOPPER, "/tickets", []),
        (SHOPPER, f"/tickets/{first}", ["customer_message:0", "staff_answer"]),
        (SHOPPER, f"/tickets/{second}", ["customer_message:1"]),
        (SHOPPER, f"/tickets/{third}", ["customer_message:2"]),
        (SHOPPER, "/account", ["customer_name"]),
        (SHOPPER, "/account/addresses", ["address"]),
        (SHOPPER, f"/orders/{numbers[0]}/help", ["reason"]),
        *queue,
        (AGENT, f"/staff/tickets/{first}", ["customer_message:3", "staff_answer", "internal_note", "refund_reason",
                                            "cancel_reason"]),
        (AGENT, f"/staff/tickets/{second}", ["forward_note"]),
        (AGENT, f"/staff/tickets/{third}", ["survey_comment"]),
        (AGENT, f"/staff/tickets/{from_api}", ["api_message"]),
        (AGENT, "/staff/kpis", []),
        (ADMIN, "/merchant-admin/", []),
        (ADMIN, "/merchant-admin/statuses", ["status"]),
        (ADMIN, "/merchant-admin/channels", ["channel"]),
        (ADMIN, "/merchant-admin/ticket-reasons", ["reason"]),
        (ADMIN, "/merchant-admin/text-modules", ["text_module_title"]),
        (ADMIN, "/merchant-admin/settings", ["store_name"]),
        (ADMIN, "/merchant-admin/staff", ["staff_name"]),
        (ADMIN, "/merchant-admin/tokens", ["token"]),
        (ADMIN, "/merchant-admin/audit", []),
        (OPERATOR, "/staff/orders", ["customer_name"]),
        (OPERATOR, f"/staff/orders/{numbers[0]}", ["customer_name"]),
        (OPERATOR, f"/staff/orders/{numbers[0]}/print", []),
        (OPERATOR, f"/staff/customers?q={SHOPPER}", ["customer_name"]),
        (OPERATOR, "/staff/products", ["product"]),
        (OPERATOR, "/telesales/cart", []),
    ]


def _sign_in(page, email):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def _context(browser, browser_context_args, portal):
    context = browser.new_context(**{**browser_context_args, "base_url": portal.url})
    local = re.compile("^" + re.escape(portal.url) + "(/|$)")
    context.set_default_timeout(10_000)
    context.route(lambda url: not local.match(url), lambda route: route.abort())
    return context


def test_no_stored_payload_runs_on_any_page(browser, browser_context_args, portal, seeded):
    seed, numbers, tickets = seeded
    pages, fields = _pages(numbers, tickets), seed.fields
    problems, shown_anywhere, report = [], set(), {}
    for identity in (SHOPPER, AGENT, ADMIN, OPERATOR):
        context = _context(browser, browser_context_args, portal)
        watch = Watch(context)
        page = watch.attach(context.new_page())
        _sign_in(page, identity)
        for who, url, expected in pages:
            if who != identity:
                continue
            events, shown = _visit(page, watch, url)
            shown_anywhere |= shown
            report[url] = len(shown)
            problems += [f"{url}: {kind} {detail[:200]}" for kind, detail in events]
            for field in expected:
                share = len(fields[field] & shown) / len(fields[field])
                if share < 0.5:
                    problems.append(f"{url}: only {share:.0%} of the {field} payloads are on the page")
        context.close()
    problems += [f"the portal raised: {error}" for error in portal.errors]
    assert not problems, "\n".join(problems)
    assert all(count > 0 for count in report.values()), report
    assert portal.errors == []
    unseen = {field: f"{len(markers - shown_anywhere)}/{len(markers)}" for field, markers in fields.items()
              if ":" not in field and len(markers - shown_anywhere) > len(markers) // 4}
    assert not unseen, f"fields whose payloads no page showed: {unseen}"
    missing = {payload.marker for payload in CORPUS} - shown_anywhere
    assert not missing, f"payloads no page showed: {sorted(missing)}"


def _fulfill(route, _request=None, *, body: str):
    route.fulfill(status=200, content_type="text/html", body=body)


def _mail_bodies(folder: Path) -> list[str]:
    bodies = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        part = message.get_body(preferencelist=("html",))
        if part is not None:
            bodies.append(part.get_content())
    return bodies


def test_no_stored_payload_runs_in_an_email(browser, browser_context_args, portal, seeded):
    bodies = _mail_bodies(portal.mail_dir)
    assert len(bodies) >= 3, "the portal wrote no HTML e-mail"
    context = _context(browser, browser_context_args, portal)
    watch = Watch(context)
    page = watch.attach(context.new_page())
    problems, shown_anywhere = [], set()
    for index, body in enumerate(bodies):
        url = f"{portal.url}/__mail/{index}"
        # An e-mail client has no CSP: the message itself must be inert.
        page.route(url, partial(_fulfill, body=body))
        events, shown = _visit(page, watch, url)
        shown_anywhere |= shown
        problems += [f"mail {index}: {kind} {detail[:200]}" for kind, detail in events]
    context.close()
    assert not problems, "\n".join(problems)
    assert len(shown_anywhere) >= 50, f"the e-mails show only {len(shown_anywhere)} payloads"
