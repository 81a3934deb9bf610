"""Language and time-zone selection, and message catalogues loaded once per process and locale."""
from flask import Flask, Request, current_app, has_request_context, request, session
from flask_login import current_user
from wtforms.i18n import messages_path

from ..extensions import PortalDomain, babel

# Flask-WTF loads (parses) WTForms' own catalogue afresh on every request; a Flask-Babel domain keeps it
# per process, keyed by locale, as Flask-Babel keeps the portal's catalogue.
WTFORMS_DOMAIN = PortalDomain(translation_directories=messages_path(), domain="wtforms")


class PortalRequest(Request):
    """A request that reads WTForms' messages from the per-process catalogue of its current locale."""

    @property
    def wtforms_translations(self):
        return WTFORMS_DOMAIN.get_translations()


def select_locale() -> str:
    """Pick the language: the user's saved choice (or this visit's, signed out), the browser's, the store's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    match = request.accept_languages.best_match([lang.replace("_", "-") for lang in languages])
    if match:
        return match.replace("-", "_")
    store_locale = _store_locale()
    if store_locale in languages:
        return store_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _store_locale() -> str | None:
    """Return the store settings' default language."""
    from .templating import store_settings

    return store_settings().default_locale


def select_timezone() -> str:
    """Use the store's time zone for every date shown."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    from .templating import store_settings

    return store_settings().timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_translations():
    """The catalogue of the current locale for the portal's own strings (kept per context: `PortalDomain`)."""
    return babel.domain_instance.get_translations()


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.request_class = PortalRequest
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
