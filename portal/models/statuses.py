"""Order statuses, their types, and the rules for which status may follow which."""
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class StatusType(enum.StrEnum):
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"

    @property
    def label(self):
        return STATUS_TYPE_LABELS[self]


STATUS_TYPE_LABELS = {
    StatusType.in_progress: _l("In progress"),
    StatusType.completed: _l("Completed"),
    StatusType.cancelled: _l("Cancelled"),
}

FINALIZADO = "FINALIZADO"
# Telesales: an order with a manual price waits here until someone allowed to approve prices decides.
PRICE_APPROVAL = "AGUARDANDO APROVAÇÃO DE PREÇO"

# Built-in statuses every store has, with their fixed types.
BUILTIN_STATUSES = (
    ("AGUARDANDO PAGAMENTO", StatusType.in_progress),
    (PRICE_APPROVAL, StatusType.in_progress),
    ("A ENVIAR", StatusType.in_progress),
    ("ENVIADO", StatusType.in_progress),
    (FINALIZADO, StatusType.completed),
    ("CANCELADO", StatusType.cancelled),
)


# Built-in statuses an order holds before its parcel leaves the store.
BEFORE_SHIPPING_BUILTINS = frozenset({"AGUARDANDO PAGAMENTO", "A ENVIAR"})
# Built-in statuses that say the store has not taken the payment yet (the timeline stops at "placed").
BEFORE_PAYMENT_BUILTINS = frozenset({"AGUARDANDO PAGAMENTO", PRICE_APPROVAL})


class OrderStatus(db.Model):
    __tablename__ = "order_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # None for an additional status the merchant has not typed yet; it counts as in progress.
    type: Mapped[StatusType | None] = mapped_column(Enum(StatusType, native_enum=False, length=20))
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # False: buyers see the order only through the timeline, never this status's own name.
    shown_to_customer: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set by the merchant on an additional status that orders only reach once the parcel left.
    after_shipping: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Compare-and-set counter for the merchant's edit form.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @property
    def effective_type(self) -> StatusType:
        return self.type or StatusType.in_progress

    @property
    def is_delivered(self) -> bool:
        return self.name == FINALIZADO or self.type is StatusType.completed

    @property
    def is_cancelled(self) -> bool:
        return self.type is StatusType.cancelled

    @property
    def is_before_payment(self) -> bool:
        """Tell whether an order in this status still waits for its payment to be confirmed."""
        return self.is_builtin and self.name in BEFORE_PAYMENT_BUILTINS

    @property
    def is_before_shipping(self) -> bool:
        """Tell whether an order in this status has normally not been shipped yet."""
        if self.is_builtin:
            return self.name in BEFORE_SHIPPING_BUILTINS
        return self.effective_type is StatusType.in_progress and not self.after_shipping


class StatusRule(db.Model):
    """Allows an order in `from_status` to move to `to_status`."""

    __tablename__ = "status_rules"
    __table_args__ = (UniqueConstraint("from_status_id", "to_status_id", name="uq_status_rules_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_status_id: Mapped[int] = mapped_column(ForeignKey("order_statuses.id", ondelete="CASCADE"), index=True)
    to_status_id: Mapped[int] = mapped_column(ForeignKey("order_statuses.id", ondelete="CASCADE"))

    from_status: Mapped[OrderStatus] = relationship(foreign_keys=[from_status_id])
    to_status: Mapped[OrderStatus] = relationship(foreign_keys=[to_status_id])
