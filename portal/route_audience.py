"""Who each route is for: one declared audience per endpoint of the URL map, next to the permissions in access.py.

access.py decides; this table says what the decisions must add up to, route by route.
tests/security/test_role_by_route.py requests every rule of `app.url_map` as every identity and compares
the answer with the audience declared here, so a route missing from the table fails the suite.
The module is plain data: it imports nothing of the portal.
"""
from enum import StrEnum


class Identity(StrEnum):
    """Who is asking: a browser session of some role, or a machine presenting a credential."""

    anonymous = "anonymous"
    owner = "owner"                  # the shopper whose order, ticket, address or link the URL names
    other_shopper = "other_shopper"  # another signed-in shopper
    agent = "agent"
    operator = "operator"
    admin = "admin"
    api_token = "api_token"  # noqa: S105 -- a back-office bearer token, no session
    webhook = "webhook"              # a request signed with an integrated marketplace channel's secret


# The answers: an HTTP status, a redirect (LOGIN: to the sign-in page; a path: there) or ALLOWED, which for
# a state-changing request means "let through to the view": anything but 401, 403, 405, a sign-in redirect or a 5xx.
LOGIN = "login"
ALLOWED = "allowed"


class Audience(StrEnum):
    """The people a route is for; `answers` says what every identity gets."""

    public = "public"              # anyone: stylesheets, probes, the API description, "forgot", the language
    guest = "guest"                # the sign-in page: signed-in users are sent on (shoppers: orders, staff: queue)
    signed_link = "signed_link"    # a link carrying its own secret (survey, first access): the link decides
    signed_in = "signed_in"        # any signed-in user (own lists, signing out, ending an acting session)
    order_reader = "order_reader"  # the order's or ticket's shopper, and staff; other shoppers 404
    shopper = "shopper"            # the shopper's own account pages; staff 403
    object_owner = "object_owner"  # a shopper-side page or write on one object: its shopper only
    staff = "staff"                # agents, operators, admins
    operator = "operator"          # telesales: operators and admins
    approver = "approver"          # price approvals: admins and staff granted "aprovar preços"
    admin = "admin"                # the merchant area
    api_token = "api_token"  # noqa: S105 -- the JSON API: a bearer token, sessions do not count
    webhook = "webhook"            # the marketplace webhook: a valid signature, nothing else

    @property
    def answers(self) -> dict[Identity, object]:
        return ANSWERS[self]


_BROWSER_GUESTS = {Identity.anonymous: LOGIN, Identity.api_token: LOGIN, Identity.webhook: LOGIN}
_STAFF = (Identity.agent, Identity.operator, Identity.admin)


def _signed_in(**answers) -> dict[Identity, object]:
    """Browser answers: guests sign in first, signed-in identities get `answers` (200 where not named)."""
    named = {Identity[name]: answer for name, answer in answers.items()}
    people = (Identity.owner, Identity.other_shopper, *_STAFF)
    return {**_BROWSER_GUESTS, **{identity: named.get(identity, 200) for identity in people}}


def _only(allowed: Identity, refused: int) -> dict[Identity, object]:
    return {identity: 200 if identity is allowed else refused for identity in Identity}


ANSWERS: dict[Audience, dict[Identity, object]] = {
    Audience.public: dict.fromkeys(Identity, 200),
    Audience.guest: {identity: 200 if identity in _BROWSER_GUESTS else "/staff/" if identity in _STAFF else "/orders"
                     for identity in Identity},
    Audience.signed_link: dict.fromkeys(Identity, 200),
    Audience.signed_in: _signed_in(),
    Audience.order_reader: _signed_in(other_shopper=404),
    Audience.shopper: _signed_in(agent=403, operator=403, admin=403),
    Audience.object_owner: _signed_in(other_shopper=404, agent=403, operator=403, admin=403),
    Audience.staff: _signed_in(owner=403, other_shopper=403),
    Audience.operator: _signed_in(owner=403, other_shopper=403, agent=403),
    Audience.approver: _signed_in(owner=403, other_shopper=403, agent=403, operator=403),
    Audience.admin: _signed_in(owner=403, other_shopper=403, agent=403, operator=403),
    Audience.api_token: _only(Identity.api_token, 401),
    Audience.webhook: _only(Identity.webhook, 401),
}

_A = Audience
ROUTES: dict[str, Audience] = {
    "static": _A.public,
    "health.healthz": _A.public,
    "health.readyz": _A.public,
    "customer.theme_css": _A.public,
    "auth.forgot": _A.public,
    "auth.login": _A.guest,
    "auth.set_password": _A.signed_link,
    "customer.survey": _A.signed_link,
    "customer.unsubscribe": _A.signed_link,
    "customer.unsubscribe_confirm": _A.signed_link,
    "auth.language": _A.public,
    "auth.logout": _A.signed_in,
    # The buyer's portal.
    "customer.index": _A.signed_in,
    "customer.orders": _A.signed_in,
    "customer.tickets_list": _A.signed_in,
    "customer.end_acting": _A.signed_in,
    "customer.order": _A.order_reader,
    "customer.tracking_page": _A.order_reader,
    "customer.tracking_json": _A.order_reader,
    "customer.ticket": _A.order_reader,
    "customer.ticket_attachment": _A.order_reader,
    "customer.account": _A.shopper,
    "customer.addresses": _A.shopper,
    "customer.new_address": _A.shopper,
    "customer.change_email": _A.shopper,
    "customer.change_password": _A.shopper,
    "customer.edit_address": _A.object_owner,
    "customer.default_address": _A.object_owner,
    "customer.delete_address": _A.object_owner,
    "customer.confirm_email": _A.object_owner,
    "customer.order_address": _A.object_owner,
    "customer.order_help": _A.object_owner,
    "customer.help_answer": _A.object_owner,
    "customer.reply": _A.object_owner,
    "customer.close_ticket": _A.object_owner,
    "customer.ticket_survey": _A.object_owner,
    "customer.order_mail_setting": _A.shopper,
    "customer.shared_cart": _A.object_owner,
    "customer.shared_cart_confirm": _A.object_owner,
    "customer.shared_cart_quantity": _A.object_owner,
    "customer.shared_cart_remove": _A.object_owner,
    # The staff area.
    "staff.queue": _A.staff,
    "staff.bulk": _A.staff,
    "staff.save_view": _A.staff,
    "staff.rename_view": _A.staff,
    "staff.delete_view": _A.staff,
    "staff.ticket": _A.staff,
    "staff.attachment": _A.staff,
    "staff.take": _A.staff,
    "staff.reply": _A.staff,
    "staff.close": _A.staff,
    "staff.reopen": _A.staff,
    "staff.details": _A.staff,
    "staff.escalate": _A.staff,
    "staff.forward": _A.staff,
    "staff.refund": _A.staff,
    "staff.cancel_unit": _A.staff,
    "staff.retry_delivery": _A.staff,
    "staff.register_ticket": _A.staff,
    "staff.order_print": _A.staff,
    "staff.kpis": _A.staff,
    "staff.kpis_csv": _A.staff,
    "staff.carrier_delivered": _A.staff,
    "staff.inbound_mail": _A.staff,
    "staff.inbound_mail_detail": _A.staff,
    "staff.discard_inbound_mail": _A.staff,
    "staff.customers": _A.operator,
    "staff.order_page": _A.operator,
    "staff.products": _A.operator,
    "staff.act_for": _A.operator,
    "staff.all_orders_page": _A.operator,
    "staff.all_orders_csv": _A.operator,
    # Telesales.
    "telesales.cart": _A.operator,
    "telesales.add_item": _A.operator,
    "telesales.remove_item": _A.operator,
    "telesales.set_quantity": _A.operator,
    "telesales.set_price": _A.operator,
    "telesales.set_details": _A.operator,
    "telesales.share": _A.operator,
    "telesales.place": _A.operator,
    "telesales.approvals": _A.approver,
    "telesales.approve": _A.approver,
    "telesales.reject": _A.approver,
    # The merchant area (gated once, for admins).
    **{f"merchant_admin.{view}": _A.admin for view in (
        "activation", "audit_log", "change_role", "channels", "colours", "delete_status", "edit_channel",
        "edit_status", "edit_text_module", "edit_ticket_reason", "hosts", "index", "move_text_module",
        "move_ticket_reason", "new_channel", "new_status", "new_text_module", "remove_host", "reset_colours",
        "retire_text_module", "revoke_token", "rotate_secret", "rules", "set_active", "set_approve_prices",
        "settings_page", "staff_users", "statuses", "telesales_settings", "text_modules", "ticket_reasons_page",
        "toggle_ticket_reason", "tokens",
    )},
    # The JSON API and the marketplace webhook.
    "api.openapi": _A.public,
    "api.docs": _A.public,
    "api.channel_events": _A.webhook,
    **dict.fromkeys(("api.list_orders", "api.get_order", "api.put_order", "api.change_status", "api.create_ticket",
                     "api.get_ticket", "api.list_statuses", "api.create_status", "api.get_kpis",
                     "api.put_product", "api.put_products"), _A.api_token),
}


# Where a route answers one identity otherwise than its audience says: endpoint -> identity -> answer.
ANSWER_OVERRIDES: dict[str, dict[Identity, object]] = {
    # The home page sends shoppers on to their orders and staff to their queue.
    "customer.index": {**dict.fromkeys((Identity.owner, Identity.other_shopper), "/orders"),
                       **dict.fromkeys(_STAFF, "/staff/")},
    # Signing out ends every session of the user and leads back to the sign-in page.
    "auth.logout": dict.fromkeys((Identity.owner, Identity.other_shopper, *_STAFF), LOGIN),
}


def expected_answer(endpoint: str, identity: Identity):
    """Return what the endpoint must answer the identity; KeyError when the endpoint was never declared."""
    return ANSWER_OVERRIDES.get(endpoint, {}).get(identity, ROUTES[endpoint].answers[identity])
