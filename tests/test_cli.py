"""The flask commands: users, tokens, statuses, trusted hosts, demo data."""
import pytest

from portal.models import ApiToken, AuditEntry, Order, Role, StatusType, StoreSettings, TrustedHost, User, hash_token
from portal.orders import statuses
from portal.orders.timeline import build_timeline
from portal.store import settings


@pytest.fixture
def cli(app, db, factory):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("role", list(Role))
def test_users_create_any_role(cli, db, role):
    result = cli("users", "create", "--email", f"New.{role.value}@Example.com", "--role", role.value,
                 "--name", "Nova", "--password", "s3cret-pass")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(email=f"new.{role.value}@example.com"))
    assert user.role is role and user.check_password("s3cret-pass")


def test_users_create_refuses_a_duplicate_and_a_short_password(cli, factory):
    factory.user(email="taken@example.com")
    result = cli("users", "create", "--email", "taken@example.com", "--password", "s3cret-pass")
    assert result.exit_code != 0 and "Já existe um usuário" in result.output  # pt_BR is the default
    result = cli("users", "create", "--email", "short@example.com", "--password", "abc")
    assert result.exit_code != 0 and "pelo menos" in result.output


def test_token_is_shown_once_stored_hashed_and_revocable(cli, db):
    result = cli("tokens", "create", "ERP")
    assert result.exit_code == 0
    raw = result.output.strip().splitlines()[-1]
    token = db.session.scalar(db.select(ApiToken).filter_by(name="ERP"))
    assert token.token_hash == hash_token(raw) and raw not in (token.token_hash, token.prefix)
    listing = cli("tokens", "list").output
    assert "ERP" in listing and raw not in listing
    assert cli("tokens", "revoke", str(token.id)).exit_code == 0
    assert token.revoked_at is not None
    assert cli("tokens", "revoke", "99999").exit_code != 0


def test_statuses_create_untyped_then_type_and_rules(cli, db):
    assert cli("statuses", "create", "Em separação").exit_code == 0
    status = statuses.get_status("EM SEPARAÇÃO")
    assert status.type is None and not status.is_builtin
    assert cli("statuses", "set-type", "EM SEPARAÇÃO", "completed").exit_code == 0
    assert status.type is StatusType.completed
    assert cli("statuses", "allow", "A ENVIAR", "ENVIADO").exit_code == 0
    assert "A ENVIAR\tin_progress\t-> ENVIADO" in cli("statuses", "list").output
    assert cli("statuses", "disallow", "A ENVIAR", "ENVIADO").exit_code == 0
    assert cli("statuses", "set-type", "FINALIZADO", "cancelled").exit_code != 0
    assert cli("statuses", "allow", "NOPE", "ENVIADO").exit_code != 0


def test_statuses_create_asks_for_a_rules_review_and_is_audited(cli, db):
    settings.mark_rules_reviewed()
    assert StoreSettings.get().rules_need_review is False
    assert cli("statuses", "create", "Em separação", "--type", "in_progress").exit_code == 0
    assert StoreSettings.get().rules_need_review is True
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="status.create"))
    assert entry.user_id is None and entry.target == "EM SEPARAÇÃO"
    assert entry.after["source"] == "cli" and entry.after["type"] == "in_progress"


def test_hosts_add_list_remove(cli, db):
    assert cli("hosts", "add", " Rastreio.Example.COM ").exit_code == 0
    assert TrustedHost.all_hosts() == ["rastreio.example.com"]
    for bad in ("https://x.com/path", "*.example.com", "10.0.0.1", "exa mple.com", "xn--exmple-cua.com"):
        assert cli("hosts", "add", bad).exit_code != 0, bad
    assert cli("hosts", "list").output.strip() == "rastreio.example.com"
    assert cli("hosts", "remove", "rastreio.example.com").exit_code == 0
    assert TrustedHost.all_hosts() == []


def test_demo_load_covers_every_step_and_tracking_kind_once(cli, db):
    result = cli("demo", "load", "--if-empty")
    assert result.exit_code == 0 and "maria@demo.test / demo1234" in result.output
    orders = db.session.scalars(db.select(Order)).all()
    hosts = TrustedHost.all_hosts()
    situations = set()
    kinds = set()
    for order in orders:
        steps = build_timeline(order, hosts)
        situations.add(next((s.name for s in steps if s.state == "current"), steps[-1].name))
        kinds.update(s.tracking.kind.value for s in steps if s.tracking)
    assert situations == {"paid", "shipped", "delivered", "cancelled"}
    assert kinds == {"correios", "embed", "new_tab", "none"}
    again = cli("demo", "load", "--if-empty")
    assert "already has orders" in again.output
    assert db.session.scalar(db.select(db.func.count(Order.id))) == len(orders)
