"""Forms of the merchant area; each maps to one service verb."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from ...accounts.users import normalise_email
from ...core.errors import ValidationError
from ...models import Role, StatusType
from ...store import settings as store
from ...store.colours import normalise_hex
from ..forms import VersionField


def _check(call, *args) -> None:
    """Run a service check and turn its error into a message on the field."""
    try:
        call(*args)
    except ValidationError as error:
        raise FieldError(str(error.message)) from None

TYPE_CHOICES = [("", _l("Not typed yet (counts as in progress)"))] + [(t.value, t.label) for t in StatusType]
STAFF_ROLE_CHOICES = [(r.value, r.label) for r in (Role.agent, Role.operator, Role.admin)]


class VersionedForm(FlaskForm):
    """A settings form that carries the settings version it was rendered with."""

    version = VersionField(validators=[InputRequired()])


class StatusForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    type = SelectField(_l("Status type"), choices=TYPE_CHOICES)
    shown_to_customer = BooleanField(_l("Show this status's name to buyers (otherwise only the timeline)"))
    after_shipping = BooleanField(_l("Orders reach this status only after the parcel was shipped"))
    retired = BooleanField(_l("Retired: no longer offered for new changes"))


class StatusEditForm(StatusForm):
    """The status form for an existing status, carrying the status version it was rendered with."""

    version = VersionField(validators=[InputRequired()])


class RulesForm(FlaskForm):
    """The rules matrix, carrying the rules version it was rendered with."""

    rules_version = VersionField(validators=[InputRequired()])


class HostForm(FlaskForm):
    host = StringField(_l("Host name"), validators=[DataRequired(), Length(max=2048)])


class TestLinkForm(FlaskForm):
    class Meta:
        csrf = False

    value = StringField(_l("Shipping code or link"), validators=[Optional(), Length(max=2048)])


class ColoursForm(VersionedForm):
    primary_color = ColorField(_l("Main colour"), validators=[DataRequired()])
    accent_color = ColorField(_l("Accent colour"), validators=[DataRequired()])

    def validate_primary_color(self, field):
        if normalise_hex(field.data) is None:
            raise FieldError(_l("Enter a colour as # and six hex digits, such as #0b5cad."))

    validate_accent_color = validate_primary_color


class SettingsForm(VersionedForm):
    store_name = StringField(_l("Store name"), validators=[DataRequired(), Length(max=120)])
    support_email = EmailField(_l("Support e-mail"), validators=[Optional(), Length(max=254)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    country = StringField(_l("Country (for holidays)"), validators=[DataRequired(), Length(max=2)])
    state = StringField(_l("State (for holidays)"), validators=[Optional(), Length(max=3)])
    default_locale = SelectField(_l("Default language"), choices=[])
    old_portal_url = URLField(_l("Old customer area address"), validators=[Optional(), Length(max=2048)])
    account_pages_enabled = BooleanField(_l("Offer “My account” (personal data and addresses) in the portal"))
    late_quiet_days = IntegerField(_l("Working days without carrier news before a shipped order is late"),
                                   validators=[Optional(), NumberRange(min=1, max=30)])
    late_opens_ticket = BooleanField(_l("Open a ticket when an order becomes late"))
    late_emails_shopper = BooleanField(_l("E-mail the shopper when their order becomes late"))
    mail_ticket_received = BooleanField(_l("Confirm a new ticket, with its number"))
    mail_ticket_closed = BooleanField(_l("Tell the shopper their ticket was closed"))
    mail_order_shipped = BooleanField(_l("Order shipped, with the tracking link"))
    mail_order_delivered = BooleanField(_l("Order delivered"))
    mail_order_cancelled = BooleanField(_l("Order cancelled"))

    def validate_support_email(self, field):
        _check(normalise_email, field.data, "support_email")

    def validate_timezone(self, field):
        _check(store.check_timezone, field.data)

    def validate_country(self, field):
        _check(store.check_region, field.data, "")

    def validate_state(self, field):
        if not self.country.errors:
            _check(store.check_region, self.country.data, field.data)

    def validate_old_portal_url(self, field):
        _check(store.check_old_portal_url, field.data)


class ActivationForm(VersionedForm):
    active = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(_l("I know items are open and want to switch the portal on anyway"))


class StaffForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)
    password = PasswordField(_l("Password (leave empty to send an invitation e-mail)"), validators=[Optional()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    user = SelectField(_l("User"), choices=[], validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class TelesalesSettingsForm(FlaskForm):
    """The back office that hears about portal orders, the manual price ceiling and how long cart links live."""

    backoffice_url = StringField(_l("Back-office event address"), validators=[Length(max=2048)])
    backoffice_secret = StringField(_l("Signing secret"), validators=[Length(max=200)])
    manual_price_ceiling = StringField(_l("Highest manual price (R$)"), validators=[InputRequired(), Length(max=20)])
    cart_link_days = IntegerField(_l("Days a shared cart link lives"), validators=[InputRequired(),
                                                                                   NumberRange(1, 90)])
