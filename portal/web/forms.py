"""Forms shared by several blueprints."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.widgets import HiddenInput

# Row versions are 32-bit integers in every database; a larger number cannot be one.
MAX_VERSION = 2**31 - 1


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class LanguageForm(FlaskForm):
    """The footer's language selector."""

    lang = SelectField(choices=[], validate_choice=True)
    next = HiddenField()


class VersionField(IntegerField):
    """The hidden version a page was rendered with. A number no row can have (negative, or too large for the
    column) reads as -1, so that the page counts as out of date instead of reaching the database."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 0 <= self.data <= MAX_VERSION:
            self.data = -1
