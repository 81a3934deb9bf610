"""Refuse a NUL character in a page's address, query string or form before any view reads it.

No text column can hold one (PostgreSQL refuses it outright), and no one types it: it only comes from a client
probing the portal. The request gets a 400 with the error page and a message instead of reaching the database.
Blueprints that validate every value themselves (the JSON API answers 422 naming the field) are left alone.
"""
from collections.abc import Iterable

from flask import Flask, request
from flask_babel import gettext as _

from .error_pages import error_response

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values: Iterable) -> bool:
    return any(isinstance(value, str) and "\x00" in value for value in values)


def _strings(values) -> Iterable[str]:
    """Every key and every value of a MultiDict, repeated ones included."""
    for key, items in values.lists():
        yield key
        yield from items


def carries_nul() -> bool:
    """Whether the path, query string or form of the current request holds a NUL character."""
    if "\x00" in request.path or _has_nul((request.view_args or {}).values()):
        return True
    if _has_nul(_strings(request.args)):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in FORM_TYPES:
        return _has_nul(_strings(request.form))
    return False


def register_input_guard(app: Flask, skip_blueprints: Iterable[str] = ()) -> None:
    skipped = frozenset(skip_blueprints)

    @app.before_request
    def refuse_nul():
        if request.blueprint in skipped or not carries_nul():
            return None
        return error_response(400, "nul_character",
                              _("The request contains a character that cannot be stored (NUL). "
                                "Remove it and try again."))
