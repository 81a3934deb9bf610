"""Merchant area: sales channels (the store itself and the marketplaces) and their ticket SLA."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .. import access
from ..extensions import db
from ..models import Channel
from ..services import ticket_admin
from ..services.errors import DomainError
from . import bp
from .common import attach_error


class ChannelForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=50)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    is_marketplace = BooleanField(_l("This channel is a marketplace"))
    sla_hours = IntegerField(_l("Response time (hours)"), default=48,
                             validators=[InputRequired(), NumberRange(min=1, max=720)])
    sla_working_days = BooleanField(_l("Count only working days (weekends and holidays excluded)"), default=True)
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "is_marketplace": self.is_marketplace.data,
                "sla_hours": self.sla_hours.data, "sla_working_days": self.sla_working_days.data,
                "active": self.active.data}


@bp.route("/channels")
def channels():
    """List the store's channels with their SLA."""
    rows = db.session.scalars(db.select(Channel).order_by(Channel.code != Channel.STORE_CODE, Channel.name))
    return render_template("merchant_admin/channels/list.html", channels=list(rows))


def _save(channel: Channel | None):
    form = ChannelForm(obj=channel) if request.method == "GET" else ChannelForm()
    if form.validate_on_submit():
        try:
            channel = (ticket_admin.update_channel(current_user, channel, form.values()) if channel
                       else ticket_admin.create_channel(current_user, form.code.data, form.values()))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Channel %(name)s saved.", name=channel.name), "success")
            return redirect(url_for(".channels"))
    code = 422 if request.method == "POST" else 200
    return render_template("merchant_admin/channels/form.html", form=form, channel=channel), code


@bp.route("/channels/new", methods=["GET", "POST"])
def new_channel():
    return _save(None)


@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
def edit_channel(channel_id: int):
    return _save(access.get_channel_or_404(channel_id))
