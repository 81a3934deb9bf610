"""Forms of the auth blueprint."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ...accounts.users import MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "inputmode": "email", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
