"""What the ticket verbs announce once the change is flushed, for other packages to act on in the same transaction.

Receivers run inside the verb, before the view commits: what they write (an outbox row, say) commits or rolls
back with the change that caused it. Each signal's sender is the ticket; `actor` is who acted.
"""
from blinker import Namespace

_signals = Namespace()

#: A message was added (keyword arguments: actor, message).
message_added = _signals.signal("ticket.message-added")
#: The ticket went to customer service (actor, event).
escalated = _signals.signal("ticket.escalated")
#: A partial refund was recorded (actor, refund).
refunded = _signals.signal("ticket.refunded")
#: The ticket was closed (actor, event).
closed = _signals.signal("ticket.closed")
