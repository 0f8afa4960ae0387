"""The Flask application factory: `flask --app web ...`."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, has_app_context, render_template, request, session
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from engine import areas, speed
from models.db import bounds, shared_cache
from models.db.errors import DomainError
from models.users.user import ROLE_LABELS
from web import formatting, headers, inputs, navigation, secret_key, sqlite_locking
from web.auth import sessions
from web.config import INSTANCE, ROOT, Config
from web.edge import BUSY_MESSAGE, BUSY_RETRY_AFTER, Edge
from web.extensions import babel, csrf, db, login_manager, migrate

log = logging.getLogger(__name__)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    areas.register_all()  # the areas' actions, events and periodic jobs
    app = Edge(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(INSTANCE),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = Config.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    INSTANCE.mkdir(exist_ok=True)
    secret_key.install(app)  # SECRET_KEY, or a random one kept under instance/
    inputs.register(app)  # bounded ids, safe JSON: before any route is added

    speed.install(app.config["SPEED"])  # engine/speed/: every speed-up, or none
    db.init_app(app)
    shared_cache.configure(_shared_cache_seconds)
    with app.app_context():
        sqlite_locking.configure(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        bounds.refuse_unstorable_text(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(ROOT / "web" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Войдите, чтобы открыть эту страницу."
    login_manager.login_message_category = "warning"
    sessions.install(app)  # user_loader: sessions end at logout and at a password change

    _register_blueprints(app)
    _register_errors(app)
    formatting.register(app)
    navigation.register(app)
    headers.register(app)
    app.before_request(_deny_unguarded_views)

    from web.cli import register as register_cli

    register_cli(app)
    return app


def _shared_cache_seconds() -> float:
    """How long a worker keeps shared values: the current app's setting, off outside an app."""
    if not has_app_context():
        return 0.0
    return float(current_app.config["SHARED_CACHE_SECONDS"])


def _select_locale() -> str:
    lang = request.args.get("lang")
    if lang in ("ru", "en"):
        session["lang"] = lang
    return session.get("lang", "ru")


def _register_blueprints(app: Flask) -> None:
    from web.admin import bp as admin_bp
    from web.api import bp as api_bp
    from web.auth import bp as auth_bp
    from web.catalog import bp as catalog_bp
    from web.clients import bp as clients_bp
    from web.crm import bp as crm_bp
    from web.inbox import bp as inbox_bp
    from web.notifications import bp as notifications_bp
    from web.processes import bp as processes_bp
    from web.sales import bp as sales_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(sales_bp)
    app.register_blueprint(clients_bp)
    app.register_blueprint(crm_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(api_bp)


def _deny_unguarded_views():
    """Deny by default: a view with no declared roles is never served."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    from flask import abort, current_app

    view = current_app.view_functions[request.endpoint]
    if not hasattr(view, "allowed_roles"):
        log.error("view %s has no role guard", request.endpoint)
        abort(403)
    return None


def _register_errors(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        return render_template("errors.html", code=code, title=title, message=message), code

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):  # the edge has rolled the request's work back
        return page(error.status, "Действие невозможно", error.message)

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, "Неверный запрос", "Запрос не удалось разобрать. Обновите страницу.")

    @app.errorhandler(403)
    def forbidden(error):
        return page(403, "Доступ запрещён", "У вашей роли нет доступа к этой странице.")

    @app.errorhandler(404)
    def not_found(error):
        return page(404, "Не найдено", "Такой страницы или записи нет.")

    @app.errorhandler(405)
    def not_allowed(error):
        return page(405, "Метод не поддерживается", "Так эту страницу открыть нельзя.")

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page(413, "Файл слишком большой", f"Можно загрузить файл не больше {limit} МБ.")

    @app.errorhandler(HTTPException)
    def other_http_error(error: HTTPException):  # any code without a page of its own above
        if error.code is None or error.code < 400:  # a routing redirect, not an error
            return error
        return page(
            error.code or 400,
            "Запрос не выполнен",
            "Сервер не смог выполнить этот запрос. Вернитесь назад и попробуйте ещё раз.",
        )

    @app.errorhandler(503)
    def busy(error):  # the edge: the database stayed locked by other writers all along
        if "_login_user" not in g:  # not loaded: loading it would wait for the lock again
            g._login_user = login_manager.anonymous_user()
        answer = page(503, "Сервер занят", BUSY_MESSAGE)
        return answer[0], 503, {"Retry-After": str(BUSY_RETRY_AFTER)}

    @app.errorhandler(500)
    def server_error(error):  # rolled back by the edge, logged by Flask
        return page(500, "Ошибка сервера", "Что-то пошло не так. Мы уже разбираемся.")

    @app.context_processor
    def inject_user():
        return {"current_user": current_user, "role_labels": ROLE_LABELS}
