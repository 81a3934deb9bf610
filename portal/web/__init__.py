"""The web layer: the blueprints (buyer pages, staff, merchant admin, sign-in, the JSON API) and their helpers."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint; the API is CSRF-exempt (token auth), the probes are never rate-limited."""
    from ..core.health import bp as health_bp
    from ..extensions import csrf, limiter
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .customer import bp as customer_bp
    from .merchant_admin import bp as merchant_admin_bp
    from .merchant_admin import register_portal_switch
    from .staff import bp as staff_bp
    from .telesales import bp as telesales_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(customer_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    app.register_blueprint(merchant_admin_bp)
    register_portal_switch(app)
    app.register_blueprint(staff_bp)
    app.register_blueprint(telesales_bp)
    # Probes: no rate limit, no login; the portal switch only gates the buyer blueprints.
    app.register_blueprint(health_bp)
    limiter.exempt(health_bp)


def register_template_globals(app: Flask) -> None:
    """Add the domain helpers that templates call by name."""
    from ..marketplaces.seller_portal import seller_portal_link
    from .field_html import field_html, radios_html

    app.add_template_global(seller_portal_link, "seller_portal_link")
    app.add_template_global(field_html, "field_html")
    app.add_template_global(radios_html, "radios_html")
