""""Minha conta" switched off by the merchant: its links and pages lead to the old customer area instead.

The seed's rule for pages the portal does not offer: "Meus dados" and "Meus endereços" (and changing an order's
delivery address, which edits addresses too) send the shopper to the old central when its address is set, and
do not exist otherwise. The link in an e-mail-change message keeps working: that change was asked already.
"""
from flask import abort, redirect, request, url_for

from ...core.templating import store_settings
from . import bp

ACCOUNT_ENDPOINTS = frozenset({
    "customer.account", "customer.addresses", "customer.new_address", "customer.edit_address",
    "customer.delete_address", "customer.default_address", "customer.change_email", "customer.change_password",
    "customer.order_address",
})


def account_pages_on() -> bool:
    return bool(store_settings().account_pages_enabled)


@bp.app_template_global()
def account_url(endpoint: str = "customer.account", **values) -> str | None:
    """The link to an account page: the page itself, the old central's address while they are off, or None."""
    if account_pages_on():
        return url_for(endpoint, **values)
    return store_settings().old_portal_url or None


@bp.before_request
def account_pages_switch():
    """Send the account pages to the old central (302; 303 after a POST) while the merchant has them off."""
    if request.endpoint not in ACCOUNT_ENDPOINTS or account_pages_on():
        return None
    old_url = store_settings().old_portal_url
    if not old_url:
        abort(404)
    return redirect(old_url, code=303 if request.method == "POST" else 302)
