"""Language and time-zone selection."""
from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from ..extensions import babel


def select_locale() -> str:
    """Pick the language: explicit choice, the user's own, the browser's, the store's default, else config."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
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


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
