"""Sign-in, sign-out, first access and password reset."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401
