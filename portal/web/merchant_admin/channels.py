"""Merchant area: sales channels (the store itself and the marketplaces), their ticket SLA and integration."""
from urllib.parse import quote

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...marketplaces import channels as channel_admin
from ...marketplaces import secrets as channel_secrets
from ...models import Channel
from ..auth.views import language_choices
from . import bp
from .common import attach_error

OVERLAP_LABELS = {0: _l("None: the old secret stops working at once"), 1: _l("1 hour"), 24: _l("24 hours"),
                  72: _l("72 hours")}


class ChannelForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=50)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    is_marketplace = BooleanField(_l("This channel is a marketplace"))
    sla_hours = IntegerField(_l("Response time (hours)"), default=48,
                             validators=[InputRequired(), NumberRange(min=1, max=720)])
    sla_working_days = BooleanField(_l("Count only working days (weekends and holidays excluded)"), default=True)
    active = BooleanField(_l("Active"), default=True)
    integrated = BooleanField(_l("Integrated: its tickets arrive through the webhook and the answers go back"))
    outbound_url = StringField(_l("Address the answers are delivered to"), validators=[Length(max=2048)])
    seller_portal_url = StringField(_l("Seller-portal link"), validators=[Length(max=2048)])
    locale = SelectField(_l("Language of its customers"), validate_choice=True)
    survey_enabled = BooleanField(_l("Ask this marketplace's buyers our satisfaction question after each closing"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [("", _("The store's default language")), *language_choices()]
        if self.locale.data is None:
            self.locale.data = ""

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "is_marketplace": self.is_marketplace.data,
                "sla_hours": self.sla_hours.data, "sla_working_days": self.sla_working_days.data,
                "active": self.active.data, "integrated": self.integrated.data,
                "outbound_url": self.outbound_url.data or "", "seller_portal_url": self.seller_portal_url.data or "",
                "locale": self.locale.data or None, "survey_enabled": self.survey_enabled.data}


class SecretForm(FlaskForm):
    overlap_hours = SelectField(_l("Keep accepting the old secret for"), coerce=int, default=24,
                                choices=[(hours, OVERLAP_LABELS[hours]) for hours in channel_admin.OVERLAP_CHOICES],
                                validate_choice=True)
    fingerprint = HiddenField(validators=[InputRequired(), Length(max=64)])


@bp.route("/channels")
def channels():
    """List the store's channels with their SLA."""
    rows = db.session.scalars(db.select(Channel).order_by(Channel.code != Channel.STORE_CODE, Channel.name))
    return render_template("merchant_admin/channels/list.html", channels=list(rows))


def webhook_url(channel: Channel) -> str:
    """Return the address the marketplace posts the channel's events to."""
    return f"{request.url_root}api/v1/channels/{quote(channel.code, safe='')}/events"


def render_form(form, channel: Channel | None, secret_form=None, new_secret: str | None = None, status=200):
    """Render the channel page; the integration block only once the channel exists."""
    context = {"form": form, "channel": channel}
    if channel is not None:
        if secret_form is None:
            secret_form = SecretForm(formdata=None, fingerprint=channel_admin.secret_fingerprint(channel))
        accepted = channel_secrets.accepted_secrets(channel)
        context.update(secret_form=secret_form, new_secret=new_secret, webhook_url=webhook_url(channel),
                       previous_until=channel.previous_secret_expires_at if len(accepted) > 1 else None)
    response = render_template("merchant_admin/channels/form.html", **context), status
    if new_secret is not None:
        response = (*response, {"Cache-Control": "no-store"})
    return response


def _save(channel: Channel | None):
    form = ChannelForm(obj=channel) if request.method == "GET" else ChannelForm()
    if form.validate_on_submit():
        try:
            channel = (channel_admin.update_channel(current_user, channel, form.values()) if channel
                       else channel_admin.create_channel(current_user, form.code.data, form.values()))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Channel %(name)s saved.", name=channel.name), "success")
            return redirect(url_for(".channels"))
    return render_form(form, channel, status=422 if request.method == "POST" else 200)


@bp.route("/channels/new", methods=["GET", "POST"])
def new_channel():
    return _save(None)


@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
def edit_channel(channel_id: int):
    return _save(access.get_channel_or_404(channel_id))


@bp.route("/channels/<int:channel_id>/secret", methods=["POST"])
def rotate_secret(channel_id: int):
    """Generate or rotate the channel's signing secret and show the new one, this once."""
    channel = access.get_channel_or_404(channel_id)
    secret_form = SecretForm()
    form = ChannelForm(formdata=None, obj=channel)
    if not secret_form.validate_on_submit():
        return render_form(form, channel, secret_form, status=422)
    try:
        secret = channel_admin.rotate_channel_secret(current_user, channel, secret_form.overlap_hours.data,
                                                    secret_form.fingerprint.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(secret_form, error)
        secret_form.fingerprint.data = channel_admin.secret_fingerprint(channel)
        return render_form(form, channel, secret_form, status=error.status_code)
    db.session.commit()
    return render_form(form, channel, new_secret=secret)
