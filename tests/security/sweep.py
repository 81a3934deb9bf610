"""What every hostile request must leave behind: an answer below 500 with a message, and nothing half-written.

`Sweep.send` runs one request inside a savepoint that is rolled back afterwards (so an accepted request does not
change what the next one finds), records every INSERT, UPDATE and DELETE the request ran, and returns what it
found wrong: a 5xx or a traceback, a refusal without a message, a refusal that left rows behind, or a NUL
character written to the database (PostgreSQL refuses it in text columns).
"""
import re
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event, func, select

from portal.extensions import db as _db

# An HTML refusal names its problem: a field's error, the error page, or an error notice.
MESSAGE = re.compile(r'field__errors|error-page|flash--error|role="alert"|class="[^"]*\berror\b')
_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
# Tables a refusal may touch: a token records when it was last used.
REFUSAL_RECORDS = frozenset({"api_tokens"})


@dataclass
class Answer:
    status: int
    problem: str | None


def _has_nul(value) -> bool:
    if isinstance(value, str | bytes):
        return ("\x00" if isinstance(value, str) else b"\x00") in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class Sweep:
    """Send requests and judge their answers against the rows the database had before."""

    def __init__(self, db):
        self.db = db
        self.writes: list[tuple[str, object]] = []
        self.baseline = self.counts()
        self.sent = 0

    def counts(self, tables=None) -> dict[str, int]:
        names = tables if tables is not None else _db.metadata.tables
        return {name: self.db.session.scalar(select(func.count()).select_from(_db.metadata.tables[name]))
                for name in names if name in _db.metadata.tables}

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        match = _WRITE.match(statement)
        if match:
            self.writes.append((match.group(2).lower(), parameters))

    @contextmanager
    def undone(self):
        """Run the block inside a savepoint of the test's connection, rolled back afterwards."""
        self.db.session.remove()
        connection = self.db.session().get_bind()
        savepoint = connection.begin_nested()
        self.writes = []
        event.listen(_db.engine, "before_cursor_execute", self._record)
        try:
            yield
        finally:
            event.remove(_db.engine, "before_cursor_execute", self._record)
            self.db.session.remove()
            savepoint.rollback()

    def send(self, request, *, html: bool = True) -> Answer:
        """Run `request()` (returning a test-client response) and say what is wrong with its answer."""
        self.sent += 1
        with self.undone():
            response = request()
            body = response.get_data(as_text=True)
            status = response.status_code
            problem = None
            if status >= 500 or "Traceback" in body:
                problem = f"{status}: {body[:300]!r}"
            elif status >= 400 and not self._explained(response, body, html):
                problem = f"{status} without a message: {body[:200]!r}"
            elif any(_has_nul(parameters) for _table, parameters in self.writes):
                problem = f"{status}: a NUL character was written to the database"
            elif status >= 400:
                touched = {table for table, _parameters in self.writes} - REFUSAL_RECORDS
                after = self.counts(touched)
                changed = {name: (self.baseline[name], count) for name, count in after.items()
                           if count != self.baseline[name]}
                if changed:
                    problem = f"{status} but rows changed: {changed}"
        return Answer(status, problem)

    @staticmethod
    def _explained(response, body: str, html: bool) -> bool:
        if response.mimetype == "application/json":
            error = (response.get_json(silent=True) or {}).get("error") or {}
            return bool(error.get("message"))
        return bool(MESSAGE.search(body)) if html else bool(body.strip())
