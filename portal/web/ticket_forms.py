"""Ticket forms shared by the shopper's pages and the staff workspace."""
import re
from decimal import Decimal, InvalidOperation

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import HiddenInput

from ..tickets.attachments import MAX_BYTES, MAX_FILES

MAX_BODY = 10_000
# A message may carry 5 files of 10 MB: its pages accept that much, while the app's default limit stays small.
UPLOAD_LIMIT = MAX_FILES * MAX_BYTES + 1024 * 1024
ATTACHMENTS_HINT = _l("Up to 5 files: images (PNG, JPEG, GIF, WebP) or PDF, 10 MB each.")


class MessageForm(FlaskForm):
    """A message with its attachments."""

    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=MAX_BODY)])
    attachments = MultipleFileField(_l("Attachments"))


class NewTicketForm(MessageForm):
    reason = SelectField(_l("Reason"), coerce=int, validate_choice=True)
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])


class VersionedForm(FlaskForm):
    """A staff form that carries the ticket version it was rendered with."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def keep_version(self, version: int) -> None:
        """Render the given version, e.g. the current one after a conflict."""
        self.version.data = version
        self.version.raw_data = [str(version)]


UNFILLED = re.compile(r"«\{\w+\}»")


class StaffReplyForm(VersionedForm, MessageForm):
    visibility = RadioField(_l("Send to the customer"), default="customer", validate_choice=True)

    def validate_body(self, field) -> None:
        """Refuse to send a text module whose placeholders were left without a value."""
        if self.visibility.data != "internal" and UNFILLED.search(field.data or ""):
            raise FieldError(_l("Replace the highlighted «{…}» placeholders before sending."))


class RefundForm(VersionedForm):
    amount = StringField(_l("Amount to refund"), validators=[DataRequired(), Length(max=20)])
    reason = StringField(_l("Reason for the refund"), validators=[DataRequired(), Length(max=500)])

    def validate_amount(self, field) -> None:
        field.decimal = parse_amount(field.data)


class EscalateForm(VersionedForm):
    reason = SelectField(_l("Why customer service should take over"), validate_choice=True)
    note = TextAreaField(_l("Note for customer service"), validators=[Optional(), Length(max=2000)])


class CancelUnitForm(VersionedForm):
    item = SelectField(_l("Item"), coerce=int, validate_choice=True)
    quantity = IntegerField(_l("Quantity"), default=1, validators=[InputRequired(), NumberRange(min=1, max=9999)])
    reason = StringField(_l("Reason for the cancellation"), validators=[DataRequired(), Length(max=500)])


class ForwardForm(VersionedForm):
    to_user = SelectField(_l("Colleague"), coerce=int, validate_choice=True)
    note = TextAreaField(_l("Note for your colleague"), validators=[Optional(), Length(max=2000)])


def allow_uploads(endpoints):
    """Return a URL value preprocessor that raises the body limit on the given endpoints.

    URL value preprocessors run before every before_request function, CSRF's included, which is the first
    to read the body; a before_request hook of the blueprint would come too late.
    """
    def preprocess(endpoint, values):
        if endpoint in endpoints:
            request.max_content_length = UPLOAD_LIMIT
    return preprocess


def csrf_failed(form) -> bool:
    """Say whether the form was refused for its CSRF token (400) rather than for its values (422)."""
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


def parse_amount(text: str | None) -> Decimal:
    """Read an amount typed as 12.50, 12,50 or 1.234,56; raise a field error when it is not one."""
    raw = (text or "").strip().replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FieldError(_l("Type an amount such as 25,90.")) from None
    if not value.is_finite() or value <= 0:
        raise FieldError(_l("The amount must be greater than zero."))
    if value.as_tuple().exponent < -2:
        raise FieldError(_l("Use at most two decimal places."))
    return value


class SurveyForm(FlaskForm):
    """The satisfaction question: a rating from 1 to 5 and an optional comment (checked by tickets.survey)."""

    rating = RadioField(_l("How would you rate the service you received?"),
                        choices=[(str(value), str(value)) for value in (1, 2, 3, 4, 5)], validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"))
