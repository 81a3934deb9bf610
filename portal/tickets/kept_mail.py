"""Mail kept aside ("Não entregues"): the list staff read, and discarding one they have dealt with."""
from flask_babel import lazy_gettext as _l

from ..accounts import audit
from ..core.errors import Conflict
from ..extensions import db
from ..models import InboundMail, InboundState
from .common import now


def kept_query():
    """Return the query of mail kept aside, newest first (read through ix_inbound_mails_state_received)."""
    return (db.select(InboundMail).where(InboundMail.state == InboundState.kept)
            .order_by(InboundMail.received_at.desc(), InboundMail.id.desc()))


def discard(mail: InboundMail, user) -> InboundMail:
    """Take a kept mail off the list, recording who did it; the record itself stays."""
    if mail.state is not InboundState.kept:
        raise Conflict(_l("This e-mail is no longer in the list."), field="mail")
    mail.state = InboundState.discarded
    mail.discarded_at = now()
    mail.discarded_by_id = user.id
    db.session.flush()
    audit.record(user, "inbound_mail.discard", f"inbound_mail:{mail.id}",
                 {"state": InboundState.kept.value, "reason": mail.reason.value if mail.reason else None,
                  "sender": mail.sender}, {"state": InboundState.discarded.value})
    return mail
