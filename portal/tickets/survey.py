"""The satisfaction survey: one question after each closing, answered once, from the e-mail or the ticket page.

A closing asks (a TicketSurvey row and an e-mail through the outbox) unless the ticket came from a
marketplace channel whose merchant left the portal's survey off: marketplaces survey their buyers
themselves. The e-mail's link carries a signed token naming the survey only; it expires after
SURVEY_DAYS and allows nothing but answering that survey. Reopening withdraws the pending question;
closing again asks again. The answer is written by a conditional UPDATE, so two answers at once give
one answer and one Conflict.
"""
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, update
from sqlalchemy.exc import OperationalError
from werkzeug.routing import BuildError

from ..core import outbox
from ..core.errors import Conflict, DomainError, NotFound, ValidationError
from ..core.races import lost_a_race
from ..extensions import db
from ..models import StoreSettings, Ticket, TicketEvent, TicketStatus, TicketSurvey
from .common import now
from .reply_address import shopper_headers

SURVEY_DAYS = 30
MAX_COMMENT = 2000
MAX_TOKEN = 200
RATINGS = (1, 2, 3, 4, 5)
_SALT = "ticket-survey"


class SurveyGone(DomainError):
    """The link expired, or the ticket was reopened after the question was asked."""

    status_code = 410
    code = "gone"


def surveyed(ticket: Ticket) -> bool:
    """Tell whether the portal asks this ticket's shopper: always on the store's channels, opt-in on marketplaces."""
    channel = ticket.channel
    return not channel.is_marketplace or bool(channel.survey_enabled)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def token_for(survey: TicketSurvey) -> str:
    return _serializer().dumps({"survey": survey.id})


def link_for(survey: TicketSurvey) -> str | None:
    try:
        return url_for("customer.survey", token=token_for(survey), _external=True)
    except (BuildError, RuntimeError):
        return None


def ask(ticket: Ticket, closing: TicketEvent, *, send_mail: bool = True) -> TicketSurvey | None:
    """Ask the shopper about this closing (row and e-mail), when the ticket's channel is surveyed.

    `send_mail` False leaves the question to the closing's own e-mail (tickets.mail.closed_mail).
    """
    if not surveyed(ticket):
        return None
    moment = now()
    survey = TicketSurvey(ticket_id=ticket.id, closed_event_id=closing.id, agent_id=ticket.assignee_id,
                          channel_id=ticket.channel_id, reason_id=ticket.reason_id, asked_at=moment,
                          expires_at=moment + timedelta(days=SURVEY_DAYS))
    db.session.add(survey)
    db.session.flush()
    if send_mail:
        outbox.queue_email(**survey_mail(ticket, survey), ticket=ticket)
    return survey


def survey_mail(ticket: Ticket, survey: TicketSurvey) -> dict:
    """Return queue_email's arguments for the question: one link per rating, none of which answers by itself."""
    settings = StoreSettings.get()
    customer = ticket.customer
    link = link_for(survey)
    ratings = [(value, f"{link}?rating={value}" if link else None) for value in RATINGS]
    context = {"customer": customer, "ticket": ticket, "store_name": settings.store_name, "link": link,
               "ratings": ratings, "days": SURVEY_DAYS}
    with force_locale(customer.locale or settings.default_locale):
        subject = _("How would you rate our service on ticket %(number)s?", number=ticket.number)
        text = render_template("email/ticket_survey.txt", subject=subject, **context)
        html = render_template("email/ticket_survey.html", subject=subject, **context)
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"ticket-survey:{ticket.number}:{survey.id}", "headers": shopper_headers(ticket.number)}


def from_token(raw: str) -> TicketSurvey:
    """Return the survey a link names; NotFound when it was never signed by us, SurveyGone when it expired."""
    token = str(raw or "")
    if not token or len(token) > MAX_TOKEN:
        raise NotFound(_l("This survey link is not valid."), field="token")
    try:
        payload = _serializer().loads(token, max_age=SURVEY_DAYS * 86400)
    except SignatureExpired as exc:
        raise SurveyGone(_l("This survey link has expired. Thank you all the same!"), field="token") from exc
    except BadSignature as exc:
        raise NotFound(_l("This survey link is not valid."), field="token") from exc
    survey_id = payload.get("survey") if isinstance(payload, dict) else None
    survey = db.session.get(TicketSurvey, survey_id) if isinstance(survey_id, int) else None
    if survey is None:
        raise NotFound(_l("This survey link is not valid."), field="token")
    return survey


def pending(ticket: Ticket) -> TicketSurvey | None:
    """Return the question of the ticket's current closing while it waits for its answer."""
    if ticket.status is not TicketStatus.closed:
        return None
    survey = db.session.scalar(db.select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id)
                               .order_by(TicketSurvey.id.desc()).limit(1))
    if survey is None or survey.answered_at is not None or survey.expires_at <= now():
        return None
    return survey


def check_open(survey: TicketSurvey) -> None:
    """Raise when the survey can no longer be answered: answered, expired, or its closing undone."""
    if survey.answered_at is not None:
        raise Conflict(_l("This survey was already answered. Thank you!"), field="rating")
    if survey.expires_at <= now():
        raise SurveyGone(_l("This survey link has expired. Thank you all the same!"), field="token")
    latest = db.session.scalar(db.select(func.max(TicketSurvey.id)).where(TicketSurvey.ticket_id == survey.ticket_id))
    if survey.ticket.status is not TicketStatus.closed or latest != survey.id:
        raise SurveyGone(_l("This ticket was reopened after the question was asked; you will be asked again "
                            "when it is closed."), field="token")


def clean_answer(rating, comment) -> tuple[int, str | None]:
    """Validate the answer: a whole rating from 1 to 5, a comment of at most MAX_COMMENT characters."""
    raw = str(rating if rating is not None else "").strip()
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 1 else None
    if value not in RATINGS:
        raise ValidationError(_l("Choose a rating from 1 to 5."), field="rating")
    text = str(comment or "").replace("\x00", "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_COMMENT), field="comment")
    return value, text or None


def answer(survey: TicketSurvey, rating, comment) -> TicketSurvey:
    """Record the shopper's one answer; a second one (even at the same moment) raises Conflict."""
    value, text = clean_answer(rating, comment)
    check_open(survey)
    moment = now()
    try:
        result = db.session.execute(
            update(TicketSurvey).where(TicketSurvey.id == survey.id, TicketSurvey.answered_at.is_(None))
            .values(rating=value, comment=text, answered_at=moment).execution_options(synchronize_session=False))
    except OperationalError as exc:
        # SQLite refuses the write of the slower of two answers at once ("database is locked").
        if lost_a_race(exc):
            raise Conflict(_l("This survey was already answered. Thank you!"), field="rating") from exc
        raise
    if result.rowcount != 1:
        raise Conflict(_l("This survey was already answered. Thank you!"), field="rating")
    db.session.refresh(survey)
    return survey


def of_ticket(ticket: Ticket) -> list[TicketSurvey]:
    """Every question asked on the ticket, oldest first, for the workspace (which has loaded its events).

    A question is only ever asked at a closing (`closed_event_id`), so a ticket that was never closed has none.
    """
    if not any(event.kind == "closed" for event in ticket.events):
        return []
    return list(db.session.scalars(db.select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id)
                                   .order_by(TicketSurvey.id)))
