"""The portal's models, one module per aggregate."""
from .audit import AuditEntry
from .channels import Channel, IntegrationEvent
from .help import DeflectionOutcome, HelpDeflection
from .inbound_mail import InboundMail, InboundState, KeptReason
from .kpis import KpiDay
from .orders import Order, OrderItem, OrderStatusChange, PriceApproval
from .outbox import OutboxItem, OutboxKind, OutboxState
from .settings import StoreSettings, TrackingSnapshot, TrustedHost
from .statuses import BUILTIN_STATUSES, FINALIZADO, OrderStatus, StatusRule, StatusType
from .surveys import TicketSurvey
from .telesales import Cart, CartItem, CartState, CustomerAddress, Product
from .tickets import (
    ESCALATION_REASONS,
    PLACEHOLDERS,
    QUEUE_TABS,
    AuthorKind,
    CancelledUnit,
    Refund,
    TextModule,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketReason,
    TicketStatus,
    Visibility,
)
from .users import STAFF_ROLES, ApiToken, EmailChange, LoginLink, LoginLinkPurpose, Role, User, hash_token
from .views import SavedView

__all__ = [
    "STAFF_ROLES",
    "ApiToken", "AuditEntry", "EmailChange", "IntegrationEvent", "OutboxItem", "OutboxKind", "OutboxState",
    "BUILTIN_STATUSES", "Channel", "FINALIZADO", "LoginLink", "LoginLinkPurpose", "Order",
    "OrderItem", "OrderStatus", "OrderStatusChange", "Role", "StatusRule", "StatusType", "StoreSettings",
    "TrackingSnapshot", "TrustedHost", "User", "hash_token",
    "ESCALATION_REASONS", "PLACEHOLDERS", "QUEUE_TABS", "AuthorKind", "CancelledUnit", "Refund", "TextModule",
    "Cart", "CartItem", "CartState", "CustomerAddress", "PriceApproval", "Product",
    "Ticket", "TicketAttachment", "TicketEvent", "TicketMessage", "TicketReason", "TicketStatus", "TicketSurvey",
    "Visibility",
    "DeflectionOutcome", "HelpDeflection", "SavedView",
    "InboundMail", "InboundState", "KeptReason", "KpiDay",
]
