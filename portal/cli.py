"""Flask CLI commands: bootstrap, users, API tokens, statuses, trusted hosts, demo data, the inbound receiver."""
import click
from flask import Flask
from flask.cli import AppGroup

from .accounts import users as accounts
from .core.errors import DomainError
from .extensions import db
from .models import ApiToken, Role, StatusType
from .orders import status_admin, statuses, trusted_hosts

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens for the back office.")
statuses_cli = AppGroup("statuses", help="Manage order statuses and status rules.")
hosts_cli = AppGroup("hosts", help="Manage trusted tracking hosts.")
demo_cli = AppGroup("demo", help="Demo data.")


def _commit_or_fail(action):
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None


@click.command("bootstrap")
def bootstrap_command():
    """Create the built-in statuses, the store channel and the settings row if missing."""
    from .store.setup import ensure_defaults

    _commit_or_fail(ensure_defaults)
    click.echo("Defaults in place.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.customer.value)
@click.option("--name", default="")
@click.password_option(help="Leave out to be prompted.")
def create_user(email, role, name, password):
    """Create a user of any role."""
    user = _commit_or_fail(lambda: accounts.create_user(email, Role(role), name, password))
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@tokens_cli.command("create")
@click.argument("name")
def create_token(name):
    """Create a token; its secret is printed once."""
    token, raw = _commit_or_fail(lambda: accounts.create_api_token(name))
    click.echo(f"Token {token.id} ({token.name}) created. Keep it now, it is not shown again:")
    click.echo(raw)


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id):
    """Revoke a token by id."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token with id {token_id}.")
    _commit_or_fail(lambda: accounts.revoke_api_token(token))
    click.echo(f"Token {token_id} revoked.")


@tokens_cli.command("list")
def list_tokens():
    """List tokens (never their secrets)."""
    for token in db.session.scalars(db.select(ApiToken).order_by(ApiToken.id)):
        state = "revoked" if token.revoked_at else "active"
        used = token.last_used_at.isoformat() if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{state}\tlast used {used}")


def _status(name):
    status = statuses.get_status(name)
    if status is None:
        raise click.ClickException(f"Unknown status: {name}")
    return status


TYPE_CHOICE = click.Choice([t.value for t in StatusType] + ["none"])


@statuses_cli.command("create")
@click.argument("name")
@click.option("--type", "type_", type=TYPE_CHOICE, default="none")
def create_status(name, type_):
    """Create an additional status (without a type unless given)."""
    kind = None if type_ == "none" else StatusType(type_)
    status = _commit_or_fail(lambda: status_admin.add_status(None, name, kind, source="cli"))
    click.echo(f"Created status {status.name}.")


@statuses_cli.command("set-type")
@click.argument("name")
@click.argument("type_", metavar="TYPE", type=TYPE_CHOICE)
def set_type(name, type_):
    """Give an additional status its type."""
    status = _status(name)
    _commit_or_fail(lambda: statuses.set_status_type(status, None if type_ == "none" else StatusType(type_)))
    click.echo(f"{status.name}: {type_}")


@statuses_cli.command("list")
def list_statuses():
    """List statuses with their types and the statuses each may change to."""
    from .models import OrderStatus, StatusRule

    rules = {}
    for rule in db.session.scalars(db.select(StatusRule)):
        rules.setdefault(rule.from_status_id, []).append(rule.to_status.name)
    for status in db.session.scalars(db.select(OrderStatus).order_by(OrderStatus.id)):
        kind = status.type.value if status.type else "(no type)"
        nexts = ", ".join(sorted(rules.get(status.id, []))) or "any"
        click.echo(f"{status.name}\t{kind}\t-> {nexts}")


@statuses_cli.command("allow")
@click.argument("from_name")
@click.argument("to_name")
def allow(from_name, to_name):
    """Add a status rule: FROM may change to TO."""
    _commit_or_fail(lambda: statuses.add_rule(_status(from_name), _status(to_name)))
    click.echo(f"{from_name} -> {to_name} allowed.")


@statuses_cli.command("disallow")
@click.argument("from_name")
@click.argument("to_name")
def disallow(from_name, to_name):
    """Remove a status rule."""
    removed = _commit_or_fail(lambda: statuses.remove_rule(_status(from_name), _status(to_name)))
    click.echo("Removed." if removed else "There was no such rule.")


@hosts_cli.command("add")
@click.argument("host")
def add_host(host):
    """Trust a tracking host (exact name)."""
    trusted = _commit_or_fail(lambda: trusted_hosts.add_trusted_host(host))
    click.echo(f"Trusted {trusted.host}.")


@hosts_cli.command("remove")
@click.argument("host")
def remove_host(host):
    """Stop trusting a tracking host."""
    removed = _commit_or_fail(lambda: trusted_hosts.remove_trusted_host(host))
    click.echo("Removed." if removed else "That host was not trusted.")


@hosts_cli.command("list")
def list_hosts():
    """List trusted tracking hosts."""
    from .models import TrustedHost

    for host in TrustedHost.all_hosts():
        click.echo(host)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has orders.")
def load_demo(if_empty):
    """Load demo users, orders at every step and every kind of tracking link."""
    from .demo.data import load_demo_data

    logins = _commit_or_fail(lambda: load_demo_data(if_empty=if_empty))
    if logins is None:
        click.echo("The database already has orders; demo data not loaded.")
        return
    click.echo("Demo logins:")
    for email, password, role in logins:
        click.echo(f"  {role:9} {email} / {password}")


@demo_cli.command("scale")
@click.option("--orders", type=click.IntRange(1, 10_000_000), default=1_000_000, show_default=True)
@click.option("--tickets", type=click.IntRange(0, 10_000_000), default=200_000, show_default=True)
def scale_demo(orders, tickets):
    """Bulk-add many orders and tickets (COPY on PostgreSQL) to measure the queue at size."""
    import time

    from .demo.scale import fill

    started = time.perf_counter()
    counts = _commit_or_fail(lambda: fill(orders, tickets, echo=click.echo))
    click.echo(f"Added {counts['orders']} orders and {counts['tickets']} tickets "
               f"in {time.perf_counter() - started:.0f} s. Run ANALYZE before measuring.")


@demo_cli.command("measure")
@click.option("--runs", type=click.IntRange(1, 100), default=21, show_default=True)
def measure_demo(runs):
    """Time the ticket queue's first page for several filters and searches (median and p95 of RUNS)."""
    from .demo.scale import measure

    measure(runs=runs, echo=click.echo)
    db.session.rollback()


@demo_cli.command("measure-orders")
@click.option("--runs", type=click.IntRange(1, 100), default=5, show_default=True)
def measure_orders_demo(runs):
    """Time the all-orders page's first page for every kind of filter, search and sort (median of RUNS)."""
    from .demo.scale_orders import measure

    measure(runs=runs, echo=click.echo)
    db.session.rollback()


@click.command("inbound-smtp")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=2525, show_default=True)
@click.option("--lmtp", is_flag=True, help="Speak LMTP (an MTA's lmtp: transport) instead of SMTP.")
def inbound_smtp_command(host, port, lmtp):
    """Receive the answers to ticket e-mails by SMTP or LMTP until stopped."""
    import signal
    import threading

    from flask import current_app

    from .tickets.inbound_receiver import ReplyController

    controller = ReplyController(current_app._get_current_object(), host, port, lmtp=lmtp)
    controller.start()
    click.echo(f"Receiving ticket answers by {'LMTP' if lmtp else 'SMTP'} on {host}:{port}.")
    stopped = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        controller.stop()


def register_commands(app: Flask) -> None:
    app.cli.add_command(bootstrap_command)
    app.cli.add_command(inbound_smtp_command)
    for group in (users_cli, tokens_cli, statuses_cli, hosts_cli, demo_cli):
        app.cli.add_command(group)
