"""Bare extension objects, bound to the app in create_app()."""
from functools import cached_property

from flask.globals import _cv_app
from flask_babel import Babel, Domain
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
class PortalDomain(Domain):
    """A message domain that looks its catalogue up once per app context and locale.

    Flask-Babel finds the catalogue anew for every string (through `g`, the locale's identifier and the
    per-process cache); a page translates dozens. The catalogue is kept beside the locale Flask-Babel holds
    in the same context, keyed on that locale object, so `force_locale` (a mail in its reader's language)
    and `refresh()` switch catalogues too.
    """

    def get_translations(self):
        app_ctx = _cv_app.get(None)
        state = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
        locale = getattr(state, "babel_locale", None)
        if locale is not None:
            kept = state.__dict__.get("portal_translations", {}).get(self.domain[0])
            if kept is not None and kept[0] is locale:
                return kept[1]
        translations = super().get_translations()
        state = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
        locale = getattr(state, "babel_locale", None)
        if locale is not None:
            state.__dict__.setdefault("portal_translations", {})[self.domain[0]] = (locale, translations)
        return translations


class PortalBabel(Babel):
    @cached_property
    def domain_instance(self):
        return PortalDomain(domain=self.domain)


babel = PortalBabel()
talisman = Talisman()
