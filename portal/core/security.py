"""Security headers: a strict CSP whose frame-src is the trusted tracking hosts where a page embeds."""
from flask import Flask, g

from ..extensions import talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def allow_frames_from(hosts) -> None:
    """Let this response's page frame https pages of exactly these hosts."""
    g.csp_frame_hosts = sorted(set(hosts))


def register_security(app: Flask) -> None:
    # Registered before Talisman so that it runs after it (Flask runs after_request in reverse).
    @app.after_request
    def set_frame_src(response):
        hosts = g.pop("csp_frame_hosts", None)
        csp = response.headers.get("Content-Security-Policy")
        if hosts and csp:
            sources = " ".join(f"https://{host}" for host in hosts)
            response.headers["Content-Security-Policy"] = csp.replace("frame-src 'none'", f"frame-src {sources}")
        return response

    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        strict_transport_security=app.config["FORCE_HTTPS"],
    )
