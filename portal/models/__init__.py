"""The portal's models, one module per aggregate."""
from .channels import Channel
from .orders import Order, OrderItem, OrderStatusChange
from .settings import StoreSettings, TrackingSnapshot, TrustedHost
from .statuses import BUILTIN_STATUSES, FINALIZADO, OrderStatus, StatusRule, StatusType
from .users import ApiToken, LoginLink, LoginLinkPurpose, Role, User, hash_token

__all__ = [
    "ApiToken", "BUILTIN_STATUSES", "Channel", "FINALIZADO", "LoginLink", "LoginLinkPurpose", "Order",
    "OrderItem", "OrderStatus", "OrderStatusChange", "Role", "StatusRule", "StatusType", "StoreSettings",
    "TrackingSnapshot", "TrustedHost", "User", "hash_token",
]
