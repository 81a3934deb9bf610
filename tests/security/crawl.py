"""Find the portal's HTML forms the way a browser would: follow the links of every page, read every POST form.

Nothing here names a page or a form: a new page linked from an existing one, and a new form on any page, are
found without touching the tests.
"""
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

from werkzeug.exceptions import HTTPException

# Pages that are not HTML, or that change state on GET; the crawler does not open them.
NOT_PAGES = ("static", "customer.theme_css", "customer.tracking_json", "staff.kpis_csv", "staff.all_orders_csv",
             "staff.attachment", "customer.ticket_attachment", "health.healthz", "health.readyz", "api.")
# A plausible value for an empty control, so that a hostile value in one field is the only thing wrong.
PLAUSIBLE = {"email": "ana.lima@example.com", "number": "1", "date": "2026-11-20", "tel": "11987654321",
             "password": "correct horse 1", "url": "https://example.com/", "color": "#336699",
             "datetime-local": "2026-11-20T10:00", "time": "10:00", "month": "2026-11", "search": "teste"}


@dataclass
class Control:
    name: str
    kind: str  # text, textarea, select, hidden, checkbox, radio, file, email...
    values: list[str] = field(default_factory=list)  # options for a select or radios; [value] otherwise
    default: str | None = None


@dataclass
class Form:
    action: str
    page: str
    multipart: bool
    controls: dict[str, Control] = field(default_factory=dict)

    def baseline(self) -> dict[str, str | list[str]]:
        """The values a shopper submitting the form untouched (empty text filled in plausibly) would send."""
        data: dict[str, str | list[str]] = {}
        for control in self.controls.values():
            if control.kind == "file":
                continue
            if control.kind in ("checkbox", "radio"):
                if control.default is not None:
                    data[control.name] = control.default
                elif control.kind == "radio" and control.values:
                    data[control.name] = control.values[0]
                continue
            value = control.default
            if control.kind == "select" and not value:
                value = next((option for option in control.values if option), "")
            if not value and control.kind not in ("hidden", "select"):
                value = PLAUSIBLE.get(control.kind, "Teste de envio")
            data[control.name] = value or ""
        return data


    def variants(self):
        """The baseline, then each choice of each select and radio group (for a GET form's answers)."""
        base = self.baseline()
        yield base
        for control in self.controls.values():
            if control.kind in ("select", "radio"):
                for value in control.values[::-1]:
                    yield {**base, control.name: value}


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.searches: list[Form] = []  # GET forms: submitted untouched, their answer is one more page
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: str | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action") or self.page, self.page, "multipart" in a.get("enctype", ""))
            (self.forms if a.get("method", "get").lower() == "post" else self.searches).append(self._form)
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag in ("input", "button"):
            self._input(tag, a)
        elif tag == "select":
            self._select = self._add(Control(a["name"], "select"))
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            if "selected" in a:
                self._select.default = a.get("value")
        elif tag == "textarea":
            self._textarea = self._add(Control(a["name"], "textarea", default=""))

    def _input(self, tag, a):
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if kind in ("submit", "button", "reset", "image"):
            return
        control = self._add(Control(a["name"], kind))
        if kind in ("checkbox", "radio"):
            control.values.append(a.get("value", "on"))
            if "checked" in a:
                control.default = a.get("value", "on")
        else:
            control.default = a.get("value", "")

    def _add(self, control: Control) -> Control:
        return self._form.controls.setdefault(control.name, control)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.default += data
        elif self._select is not None and self._option is None and data.strip():
            self._option = data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._select is not None:
            if self._option is not None:
                self._select.values.append(self._option)
            self._option = None


def endpoint(adapter, url: str, method: str = "GET") -> str | None:
    """Return the endpoint the URL reaches, or None when it leaves the portal or reaches nothing."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != adapter.server_name):
        return None
    try:
        return adapter.match(parts.path or "/", method=method)[0]
    except HTTPException:
        return None


def crawl(client, adapter, starts, limit: int = 400, per_endpoint: int = 3) -> list[Form]:
    """Open the start pages and every page they link to (a few URLs per endpoint and set of query keys), and
    the answers of their GET forms; return every POST form found on them."""
    queue, seen, opened, forms = list(starts), Counter(), set(), []
    while queue and len(opened) < limit:
        url = queue.pop(0)
        name = endpoint(adapter, url)
        parts = urlsplit(url)
        key = (name, frozenset(key for key, _value in parse_qsl(parts.query)))
        capped = seen[key] >= per_endpoint and url not in starts  # the start pages are always opened
        if name is None or name.startswith(NOT_PAGES) or capped or url in opened:
            continue
        seen[key] += 1
        opened.add(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Parser(parts.path)
        parser.feed(response.get_data(as_text=True))
        forms += parser.forms
        queue += [link for link in parser.links if not link.startswith("#")]
        queue += [f"{search.action.split('?')[0]}?{urlencode(query, doseq=True)}"
                  for search in parser.searches for query in search.variants()]
    return forms
