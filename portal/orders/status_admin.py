"""The merchant's verbs on statuses and status rules, each audited; and the rule warnings and sample timeline."""
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

from ..accounts import audit
from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import Order, OrderStatus, OrderStatusChange, StatusRule, StatusType, StoreSettings
from ..store import settings
from .statuses import create_status, get_status, normalise_status_name


def status_values(status: OrderStatus) -> dict:
    return {"name": status.name, "type": status.type, "shown_to_customer": status.shown_to_customer,
            "after_shipping": status.after_shipping, "retired": status.retired}


def list_statuses(additional_only: bool = False) -> list[OrderStatus]:
    """Return the statuses, built-in first, then additional ones by name."""
    query = db.select(OrderStatus).order_by(OrderStatus.is_builtin.desc(), OrderStatus.retired, OrderStatus.name)
    if additional_only:
        query = query.where(OrderStatus.is_builtin.is_(False))
    return list(db.session.scalars(query))


def orders_per_status() -> dict[int, int]:
    """Count the orders currently in each status, in one query."""
    rows = db.session.execute(db.select(Order.status_id, func.count()).group_by(Order.status_id))
    return {status_id: count for status_id, count in rows}


def add_status(actor, name: str, type_: StatusType | None, shown_to_customer: bool = True,
               after_shipping: bool = False, source: str | None = None) -> OrderStatus:
    """Create an additional status and note that the rules need a new review.

    `source` names where a change without a signed-in actor came from (an API token, the CLI).
    """
    status = create_status(name, type_)
    status.shown_to_customer = bool(shown_to_customer)
    status.after_shipping = bool(after_shipping)
    settings.mark_statuses_changed()
    audit.record(actor, "status.create", status.name, None, status_values(status), source=source)
    return status


def update_status(actor, status: OrderStatus, values: dict, version: int | None) -> OrderStatus:
    """Rename, type, flag or retire a status; a built-in status only changes whether buyers see its name.

    `version` is the one the form was rendered with: a save since then raises Conflict.
    """
    before = status_values(status)
    wanted = {**before, **values}
    wanted["name"] = normalise_status_name(wanted["name"])
    if status.is_builtin:
        fixed = [key for key in ("name", "type", "after_shipping", "retired") if wanted[key] != before[key]]
        if fixed:
            raise ValidationError(_l("A built-in status keeps its name and type and cannot be retired."),
                                  field=fixed[0])
    if not 1 <= len(wanted["name"]) <= 80:
        raise ValidationError(_l("A status name needs 1 to 80 characters."), field="name")
    if wanted["name"] != status.name and get_status(wanted["name"]) is not None:
        raise ValidationError(_l("A status named %(name)s already exists.", name=wanted["name"]), field="name")
    settings.compare_and_set(OrderStatus.version, status.id, version)
    db.session.refresh(status, ["version"])
    for key, value in wanted.items():
        setattr(status, key, value)
    db.session.flush()
    old, new = audit.changes(before, status_values(status))
    if set(new) - {"shown_to_customer"}:
        settings.mark_statuses_changed()
    if new:
        audit.record(actor, "status.update", status.name, old, new)
    return status


def is_in_use(status: OrderStatus) -> bool:
    """Tell whether any order is, or ever was, in this status."""
    current = db.select(Order.id).where(Order.status_id == status.id).limit(1)
    history = db.select(OrderStatusChange.id).where(
        or_(OrderStatusChange.to_status_id == status.id, OrderStatusChange.from_status_id == status.id)
    ).limit(1)
    return db.session.scalar(current) is not None or db.session.scalar(history) is not None


def delete_status(actor, status: OrderStatus) -> None:
    """Delete an additional status no order ever had; one in use can only be retired."""
    if status.is_builtin:
        raise ValidationError(_l("A built-in status cannot be deleted."), field="status")
    if is_in_use(status):
        raise Conflict(_l("Orders use %(name)s, so it cannot be deleted; retire it instead.", name=status.name),
                       field="status")
    before = status_values(status)
    db.session.execute(db.delete(StatusRule).where(
        or_(StatusRule.from_status_id == status.id, StatusRule.to_status_id == status.id)))
    db.session.delete(status)
    settings.mark_statuses_changed()
    audit.record(actor, "status.delete", before["name"], before, None)


# --- rules ----------------------------------------------------------------------------------------------


def rule_pairs() -> set[tuple[int, int]]:
    rows = db.session.execute(db.select(StatusRule.from_status_id, StatusRule.to_status_id))
    return {(from_id, to_id) for from_id, to_id in rows}


def _rule_names(pairs, names: dict[int, str]) -> list[str]:
    return sorted(f"{names[a]} → {names[b]}" for a, b in pairs)


def save_rules(actor, statuses: list[OrderStatus], wanted: set[tuple[int, int]], version: int | None) -> None:
    """Make the rules among these statuses exactly `wanted` and mark the rules as reviewed.

    `version` is the rules version the matrix was rendered with: a save since then raises Conflict.
    """
    settings.compare_and_set(StoreSettings.rules_version, settings.settings_row().id, version)
    ids = {status.id for status in statuses}
    names = {status.id: status.name for status in statuses}
    wanted = {(a, b) for a, b in wanted if a in ids and b in ids and a != b}
    current = {(a, b) for a, b in rule_pairs() if a in ids and b in ids}
    for a, b in current - wanted:
        db.session.execute(db.delete(StatusRule).where(StatusRule.from_status_id == a, StatusRule.to_status_id == b))
    for a, b in sorted(wanted - current):
        db.session.add(StatusRule(from_status_id=a, to_status_id=b))
    db.session.flush()
    settings.mark_rules_reviewed()
    audit.record(actor, "rules.update", "status_rules", {"rules": _rule_names(current, names)},
                 {"rules": _rule_names(wanted, names)})


def risky(from_status: OrderStatus, to_status: OrderStatus) -> bool:
    """Tell whether a rule lets an order be shown as delivered before it was shipped."""
    return from_status.is_before_shipping and to_status.is_delivered and from_status.id != to_status.id


def unruled(statuses: list[OrderStatus], pairs: set[tuple[int, int]]) -> set[int]:
    """Return the ids of the statuses without any rule: check_transition lets them change to any status."""
    ruled = {a for a, _b in pairs}
    return {status.id for status in statuses if status.id not in ruled}


def allowed_pairs(statuses: list[OrderStatus], pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Return every change the rules allow, a status without rules leading to every other status."""
    free = unruled(statuses, pairs)
    return pairs | {(a, s.id) for a in free for s in statuses if s.id != a}


def risky_rules(statuses: list[OrderStatus], pairs: set[tuple[int, int]]) -> list[tuple[OrderStatus, OrderStatus]]:
    """Return the allowed changes that would show an order as delivered before it was shipped."""
    by_id = {status.id: status for status in statuses}
    found = [(by_id[a], by_id[b]) for a, b in allowed_pairs(statuses, pairs)
             if a in by_id and b in by_id and risky(by_id[a], by_id[b])]
    return sorted(found, key=lambda pair: (pair[0].name, pair[1].name))


# --- sample timeline ------------------------------------------------------------------------------------


@dataclass
class SampleOrder:
    """Just enough of an order for build_timeline: a paid order in a given status, shipped or not."""

    status: OrderStatus
    shipped: bool
    placed_at: datetime = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    history: list = field(default_factory=list)

    @property
    def status_id(self):
        return self.status.id

    @property
    def paid_at(self):
        return None if self.status.name == "AGUARDANDO PAGAMENTO" else self.placed_at + timedelta(hours=2)

    @property
    def shipped_at(self):
        return self.placed_at + timedelta(days=1) if self.shipped else None

    @property
    def shipping_code(self):
        return "SS123456785BR" if self.shipped else None

    has_invoice_link = False
