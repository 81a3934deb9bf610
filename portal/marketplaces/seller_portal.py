"""Links into a non-integrated marketplace's seller portal, where staff handle that marketplace's tickets."""
import re
from urllib.parse import quote, urlsplit

# What a link template may contain: the order's delivery number and the marketplace's own order number.
PLACEHOLDERS = ("delivery_number", "order_number")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders(template: str) -> list[str]:
    """Return the names of the placeholders in the template, in order."""
    return PLACEHOLDER.findall(template or "")


def fill(template: str, values: dict[str, str]) -> str:
    """Put each value, URL-quoted, in place of its placeholder; unknown placeholders stay as they are."""
    def replace(match: re.Match) -> str:
        name = match.group(1)
        return quote(values[name], safe="") if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, template)


def seller_portal_link(order) -> str | None:
    """Return the order's page in its marketplace's seller portal, or None when there is none to offer."""
    try:
        channel = order.channel
        template = channel.seller_portal_url if channel is not None else None
        if not template or not channel.is_marketplace or channel.integrated or not order.delivery_number:
            return None
        values = {"delivery_number": str(order.delivery_number)}
        if order.marketplace_order_number:
            values["order_number"] = str(order.marketplace_order_number)
        if set(placeholders(template)) - set(values):
            return None
        url = fill(template, values)
        if urlsplit(url).scheme not in ("http", "https"):
            return None
        return url
    except (AttributeError, TypeError, ValueError):
        return None
