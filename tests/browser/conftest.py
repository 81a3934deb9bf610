"""Browser tests: a real Chromium driven by pytest-playwright against the portal served for real.

Browser discovery (fixture ``browser_type_launch_args``):

1. A system Chromium: ``/usr/bin/chromium`` when it exists, else ``chromium`` or ``chromium-browser`` on PATH
   (Debian: ``apt-get install -y chromium``). It is launched headless with ``--no-sandbox --disable-gpu`` and the
   flags that stop it from calling home (background networking, component updates, sync, QUIC).
2. Otherwise the Chromium that ``playwright install chromium`` put in Playwright's own cache.
3. Otherwise no browser: with the environment variable ``CI`` set (``CI=true``) every browser test fails loudly,
   because a CI run that silently skips its browser tests proves nothing; on a developer machine they are skipped
   with the reason.

``--browser-channel`` (e.g. ``chrome``) or ``--browser firefox|webkit`` bypass the system Chromium.

The portal runs in a background thread (``werkzeug.serving.make_server`` on 127.0.0.1, a free port) with its own
app and its own migrated SQLite file per xdist worker. Browser tests commit real data, so they cannot use the
rolled-back ``db`` fixture: ``live_data`` builds it once per session through the factories and commits. They run on
SQLite only; with ``TEST_DATABASE_URL`` set they are skipped (``make test-pg`` deselects them with
``-m "not browser"``). Every browser module carries ``pytest.mark.browser`` and ``pytest.mark.xdist_group("browser")``
so that under ``--dist loadgroup`` one worker owns the browser and the live server. Nothing depends on that: a
worker that gets browser tests starts its own browser, server and database (pytest 9.2 with pytest-xdist 3.8 does
not group, see pytest-dev/pytest-xdist#1386, and the tests still pass spread over workers).

Correios calls go to the stand-in API (``trackers.correios_standin``) on 127.0.0.1; the browser is allowed to talk
to the live server only, every other request it makes is aborted, so nothing reaches the internet.
"""

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect

from portal import create_app
from portal.extensions import db as _db
from trackers import correios_standin

from ..factories import PASSWORD, Factory
from ..live import serve

# The live shopper's own orders are placed after any order a test adds with the factory's dates.
NEWEST = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

TIMEOUT_MS = 10_000
SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
TRUSTED_HOST = "rastreio.transportadora.test"
CORREIOS_CODE = "SS123456785BR"

expect.set_options(timeout=TIMEOUT_MS)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _system_chromium() -> str | None:
    if os.path.isfile(SYSTEM_CHROMIUM) and os.access(SYSTEM_CHROMIUM, os.X_OK):
        return SYSTEM_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _no_browser(reason: str):
    if _in_ci():
        pytest.fail(f"CI is set and {reason}: browser tests must run in CI, never be skipped.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig, playwright):
    """Launch the system Chromium when there is one, else Playwright's own; fail in CI when there is neither."""
    browsers = pytestconfig.getoption("--browser") or ["chromium"]
    if browsers != ["chromium"] or "channel" in browser_type_launch_args:
        return browser_type_launch_args
    system = _system_chromium()
    if system:
        return {**browser_type_launch_args, "executable_path": system, "args": CHROMIUM_ARGS}
    if os.path.exists(playwright.chromium.executable_path):
        return browser_type_launch_args
    _no_browser(
        f"no Chromium found ({SYSTEM_CHROMIUM}, chromium/chromium-browser on PATH, "
        f"or Playwright's {playwright.chromium.executable_path}); install one with `apt-get install -y chromium`"
    )


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object
    errors: list


@pytest.fixture(scope="session")
def correios_url():
    """Start the stand-in Correios API on 127.0.0.1 and return its base URL."""
    server, base_url = correios_standin.start_in_thread()
    yield base_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, correios_url):
    """Serve a portal with its own migrated SQLite database from a background thread."""
    if os.environ.get("TEST_DATABASE_URL", "").strip():
        pytest.skip("browser tests run on SQLite only (make test-pg runs -m 'not browser')")
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "portal.db"),
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(folder / "mail"),
            "CORREIOS_BASE_URL": correios_url,
            "CORREIOS_USER": "demo",
            "CORREIOS_ACCESS_CODE": "demo",
            "CORREIOS_CONTRACT_CARD": "0067599079",
        }
    )
    with app.app_context():
        upgrade()
    with serve(app) as served:
        yield LiveServer(url=served.url, app=app, errors=served.errors)


@dataclass(frozen=True)
class LiveData:
    trusted_host: str
    correios_code: str
    email: str
    password: str
    awaiting_payment: str
    paid: str
    correios: str
    embed: str
    embed_url: str
    new_tab: str
    new_tab_url: str
    delivered: str
    cancelled: str
    someone_elses: str

    @property
    def own_orders(self) -> list[str]:
        return [
            self.awaiting_payment,
            self.paid,
            self.correios,
            self.embed,
            self.new_tab,
            self.delivered,
            self.cancelled,
        ]


@pytest.fixture(scope="session")
def live_data(live_server) -> LiveData:
    """Commit a shopper with an order at each timeline step and one per kind of tracking link."""
    data = LiveData(
        trusted_host=TRUSTED_HOST,
        correios_code=CORREIOS_CODE,
        email="comprador@example.com",
        password=PASSWORD,
        awaiting_payment="500001",
        paid="500002",
        correios="500003",
        embed="500004",
        embed_url=f"https://{TRUSTED_HOST}/objetos/500004",
        new_tab="500005",
        new_tab_url="https://rastreio.desconhecida.test/rastreio?pedido=500005",
        delivered="500006",
        cancelled="500007",
        someone_elses="500099",
    )
    with live_server.app.app_context():
        make = Factory(_db)
        shopper = make.user(email=data.email, password=data.password, name="Maria Souza")
        make.trusted_host(TRUSTED_HOST)
        orders = [("AGUARDANDO PAGAMENTO", data.awaiting_payment, {}),
                  ("A ENVIAR", data.paid, {"paid": True}),
                  ("ENVIADO", data.correios, {"paid": True, "shipped": True, "shipping_code": CORREIOS_CODE}),
                  ("ENVIADO", data.embed, {"paid": True, "shipped": True, "shipping_code": data.embed_url}),
                  ("ENVIADO", data.new_tab, {"paid": True, "shipped": True, "shipping_code": data.new_tab_url}),
                  ("FINALIZADO", data.delivered, {"paid": True, "shipped": True, "shipping_code": CORREIOS_CODE}),
                  ("CANCELADO", data.cancelled, {})]
        for minute, (status, number, facts) in enumerate(orders):
            make.order(shopper, status, number=number, placed_at=NEWEST + timedelta(minutes=minute), **facts)
        make.order(make.user(email="outra@example.com"), "ENVIADO", number=data.someone_elses)
        _db.session.commit()
    return data


@pytest.fixture(scope="session")
def base_url(live_server):
    """Resolve relative URLs such as page.goto("/login") against the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browse in Brazilian Portuguese and São Paulo time on a desktop-sized window."""
    return {**browser_context_args, "locale": "pt-BR", "timezone_id": "America/Sao_Paulo", "viewport": DESKTOP}


def _confine(context, live_url: str):
    """Give the context a 10 s timeout and abort every request that is not for the live server."""
    local = re.compile("^" + re.escape(live_url) + "(/|$)")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.route(lambda url: not local.match(url), lambda route: route.abort())
    return context


@pytest.fixture
def make_context(new_context, live_server):
    """Create a browser context with a 10 s timeout that may only reach the live server."""
    return lambda **kwargs: _confine(new_context(**kwargs), live_server.url)


@pytest.fixture
def context(make_context):
    return make_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail a browser test whose requests raised inside the portal (the browser only sees a 500)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("live_server")
    seen = len(server.errors)
    yield
    assert server.errors[seen:] == [], "the portal raised while serving this test"


def _sign_in(page, data: LiveData):
    page.goto("/login")
    page.locator("input[name=email]").fill(data.email)
    page.locator("input[name=password]").fill(data.password)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator(f'a[href="/orders/{data.correios}"]').first).to_be_visible()
    return page


@pytest.fixture
def sign_in(live_data):
    """Return a function that signs in through the real /login form and waits for the orders list."""
    return lambda page: _sign_in(page, live_data)


@pytest.fixture(scope="session")
def shopper_state(browser, browser_context_args, live_server, live_data):
    """Sign in once through the real form and keep the cookies for the tests that start signed in."""
    context = _confine(browser.new_context(**browser_context_args), live_server.url)
    try:
        _sign_in(context.new_page(), live_data)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def shopper(make_context, shopper_state, live_data):
    """A page signed in as the shopper, on the orders list."""
    page = make_context(storage_state=shopper_state).new_page()
    page.goto("/orders")
    # Signed in and listing orders; other tests add orders, so the demo's own may be on a later page.
    expect(page.locator("tr[data-order]").first).to_be_visible()
    return page
