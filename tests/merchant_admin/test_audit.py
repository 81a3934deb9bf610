"""The audit log: one entry per change, filters by user and date, pagination."""
import re
from datetime import UTC, datetime
from pathlib import Path

import portal
from portal.accounts import audit
from portal.accounts.audit_actions import ACTION_LABELS
from portal.models import AuditEntry, Role
from portal.models.orders import PriceApproval

AUDIT = "/merchant-admin/audit"


def _entry(db, user, action, when):
    db.session.add(AuditEntry(user_id=user.id, action=action, target="t", before={"a": 1}, after={"a": 2},
                              created_at=when))
    db.session.flush()


def test_record_keeps_json_values(db, admin):
    entry = audit.record(admin, "x.test", "thing", {"role": Role.agent, "when": None, "n": 1},
                         {"role": Role.admin, "list": {"b", "a"}})
    assert entry.before == {"role": "agent", "when": None, "n": 1}
    assert entry.after == {"role": "admin", "list": ["a", "b"]}


def test_filters_by_user_and_store_time_zone_dates(admin_client, admin, factory, db):
    other = factory.user(Role.admin, email="other-admin@example.com")
    _entry(db, admin, "mine.early", datetime(2026, 11, 1, 2, 0, tzinfo=UTC))   # 31 Oct, 23:00 in São Paulo
    _entry(db, admin, "mine.late", datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    _entry(db, other, "theirs", datetime(2026, 11, 2, 13, 0, tzinfo=UTC))
    html = admin_client.get(AUDIT).get_data(as_text=True)
    assert all(f'data-audit="{a}"' in html for a in ("mine.early", "mine.late", "theirs"))
    html = admin_client.get(AUDIT, query_string={"user": other.id}).get_data(as_text=True)
    assert 'data-audit="theirs"' in html and 'data-audit="mine.late"' not in html
    html = admin_client.get(AUDIT, query_string={"date_from": "2026-11-01", "date_to": "2026-11-02"}).get_data(
        as_text=True)
    assert 'data-audit="mine.early"' not in html and 'data-audit="mine.late"' in html
    html = admin_client.get(AUDIT, query_string={"date_to": "2026-10-31"}).get_data(as_text=True)
    assert 'data-audit="mine.early"' in html and 'data-audit="theirs"' not in html
    assert "&#34;a&#34;: 1" in html or '"a": 1' in html


def test_bad_filters_are_a_clear_4xx(admin_client):
    response = admin_client.get(AUDIT, query_string={"date_from": "yesterday"})
    assert response.status_code == 422 and 'id="date_from-error"' in response.get_data(as_text=True)
    assert admin_client.get(AUDIT, query_string={"page": "0"}).status_code == 404


def test_pagination(admin_client, admin, db):
    for i in range(55):
        _entry(db, admin, f"bulk.{i:02d}", datetime(2026, 11, 2, 12, 0, i, tzinfo=UTC))
    first = admin_client.get(AUDIT).get_data(as_text=True)
    assert first.count('data-audit="bulk.') == 50 and 'data-audit="bulk.54"' in first and "page=2" in first
    second = admin_client.get(AUDIT, query_string={"page": 2}).get_data(as_text=True)
    assert second.count('data-audit="bulk.') == 5 and 'data-audit="bulk.00"' in second


def test_every_merchant_change_is_audited_with_its_author(admin_client, post, admin, db):
    post(admin_client, "/merchant-admin/hosts", {"host": "track.example.com"})
    post(admin_client, "/merchant-admin/statuses/new", {"name": "NOVO", "type": ""})
    entries = list(db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.user_id) for e in entries] == [("host.add", admin.id), ("status.create", admin.id)]
    html = admin_client.get(AUDIT).get_data(as_text=True)
    assert admin.email in html and "status.create" in html


def _source_actions() -> set[str]:
    """Every audit action key the portal's code hands to an audit call, by the families the labels know."""
    families = {key.split(".")[0] for key in ACTION_LABELS}
    literal = re.compile(r'"((?:' + "|".join(sorted(families)) + r')\.[a-z_]+)"')
    call = re.compile(r"(?:record|_audit|audit_acting|save)\(|\baction\b")
    found = set()
    for path in Path(portal.__file__).parent.rglob("*.py"):
        if path.name in {"route_audience.py", "audit_actions.py"}:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if "queue(" in line or "emit(" in line:
                continue  # events and signals for the back office, not audit entries
            if call.search(" ".join(lines[max(0, number - 1):number + 1])):
                found |= set(literal.findall(line))
    # approval.py writes f"order.price_{decision.value}" for each decision taken.
    found |= {f"order.price_{decision.value}" for decision in (PriceApproval.approved, PriceApproval.rejected)}
    return found


def test_every_audit_action_in_the_code_has_words():
    actions = _source_actions()
    assert {"host.add", "ticket.reply", "portal.on", "order.price_approved"} <= actions
    assert len(actions) >= 50
    assert sorted(actions - set(ACTION_LABELS)) == []


def test_the_audit_log_says_what_happened_in_words(admin_client, post, db):
    post(admin_client, "/merchant-admin/hosts", {"host": "track.example.com"})
    html = admin_client.get(AUDIT).get_data(as_text=True)
    row = re.search(r'<tr data-audit="host.add">.*?</tr>', html, re.S).group(0)
    assert "Trusted tracking host added" in row and ">host.add<" not in row and "host.add<br>" not in row
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    row = re.search(r'<tr data-audit="host.add">.*?</tr>', admin_client.get(AUDIT).get_data(as_text=True), re.S)
    assert "Host de rastreio confiável adicionado" in row.group(0)


def test_an_unknown_action_is_shown_as_its_key(admin_client, admin, db):
    _entry(db, admin, "legacy.thing", datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    assert "legacy.thing<br>" in admin_client.get(AUDIT).get_data(as_text=True)
