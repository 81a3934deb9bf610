"""The customer self-service portal."""
import os

from flask import Flask

from .config import engine_options, load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the portal application."""
    app = Flask(__name__, instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)

    from . import cli, web
    from .core import assets, error_pages, i18n, input_guard, request_id, security, templating

    register_proxy_fix(app)
    request_id.register_request_id(app)
    register_extensions(app)
    register_domain_hooks()
    i18n.register_i18n(app)
    security.register_security(app)
    input_guard.register_input_guard(app, skip_blueprints=("api",))
    assets.register_assets(app)
    web.register_blueprints(app)
    error_pages.register_errorhandlers(app)
    templating.register_template_helpers(app)
    web.register_template_globals(app)
    cli.register_commands(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from PROXY_FIX_HOPS proxies in front of the portal (0: none)."""
    hops = app.config.get("PROXY_FIX_HOPS", 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_domain_hooks() -> None:
    """Connect what packages do when others act: marketplace deliveries follow ticket events, and send."""
    from .marketplaces import delivery, outbound  # noqa: F401  (they connect and register on import)
    from .store import lookups  # noqa: F401  (a new lists token with every change to what the lists hold)
    from .telesales import backoffice  # noqa: F401  (registers the back office's outbox transport)


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (tables must be known before migrate binds)
    from .extensions import csrf, db, limiter, login, migrate

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    with app.app_context():
        _tune_sqlite(db.engine)
    login.login_view = "auth.login"
    login.session_protection = "basic"

    @login.user_loader
    def load_user(user_id: str):
        from .models import User

        uid, _, token = user_id.partition(":")
        if not uid.isdigit() or not token:
            return None
        user = db.session.get(User, int(uid))
        if user is None or not user.active or user.session_token != token:
            return None
        return user


def _tune_sqlite(engine) -> None:
    """Turn on foreign keys and let SQLAlchemy, not pysqlite, begin transactions (for savepoints)."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN")
