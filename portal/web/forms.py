"""Forms shared by several blueprints."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class LanguageForm(FlaskForm):
    """The footer's language selector."""

    lang = SelectField(choices=[], validate_choice=True)
    next = HiddenField()
