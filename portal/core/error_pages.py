"""Error pages for browsers and JSON errors for the API."""
import contextlib

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from .request_id import current_request_id

MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Authentication is required."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("We could not find this page."),
    405: lambda: _("This method is not allowed here."),
    413: lambda: _("The request is too large."),
    429: lambda: _("Too many attempts. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
    503: lambda: _("Something went wrong on our side. Please try again later."),
}
# How long a caller is asked to wait when the database cannot be reached (a restart or failover).
DATABASE_RETRY_AFTER = "5"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str | None = None, message: str | None = None, plain: bool = False):
    """Answer JSON or an HTML page; `plain` skips the layout, which needs the database."""
    message = message or MESSAGES.get(status, MESSAGES[500])()
    if wants_json():
        error = {"code": code or str(status), "message": message, "request_id": current_request_id()}
        return jsonify(error=error), status
    if plain:
        return render_template("errors/plain.html", status=status, message=message), status
    try:
        return render_template("errors/error.html", status=status, message=message), status
    except Exception:
        # The layout reads the signed-in user and the store settings: when the database is what failed, the page
        # is rendered without it rather than falling through to the server's bare error.
        current_app.logger.exception("Could not render the error page; sending the plain one")
        db.session.rollback()
        return render_template("errors/plain.html", status=status, message=message), status


def error_headers(error: HTTPException) -> dict[str, str]:
    """Return the headers the error itself carries (`Allow` on a 405), without its own Content-Type."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        code = (error.name or "").lower().replace(" ", "_") or None
        response = make_response(error_response(error.code or 500, code))
        response.headers.update(error_headers(error))
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_unavailable(error):
        # The database is down or restarting: a temporary state the caller can retry, not a fault of the code.
        reason = (str(error.orig or error).strip().splitlines() or [type(error).__name__])[0]
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path, reason[:200])
        with contextlib.suppress(Exception):  # the rollback may itself need the lost connection
            db.session.rollback()
        # The answer is written for an anonymous visitor: choosing its language must not load the signed-in
        # user from the database that just failed (that second failure would escape every handler).
        app.login_manager._update_request_context_with_user()
        g.pop("store_settings", None)  # expired by the rollback: read again, or the defaults while it fails
        response = make_response(error_response(503, "database_unavailable", plain=True))
        response.headers["Retry-After"] = DATABASE_RETRY_AFTER
        return response

    @app.teardown_appcontext
    def release_session(_error):
        # Runs before Flask-SQLAlchemy's own removal (registered earlier): a connection the server cut in the
        # middle of the request (a restart) fails its closing rollback, which would turn a sent answer into a 500.
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            app.logger.warning("Database connection lost at the end of the request: %s", type(error).__name__)
            db.session.registry.clear()  # the broken session is dropped; the next request gets a new one

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, "internal_error")
