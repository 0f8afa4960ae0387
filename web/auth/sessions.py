"""Who a session or a remember-me cookie belongs to, and whether it still opens pages.

Both hold `User.get_id()`, `"<id>:<session version>"`; a logout or a new password raises the
employee's version, so a session or cookie issued before (a copied one too) loads nobody.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from models.users.user import User, parse_login_id
from web.extensions import db, login_manager


def install(app: Flask) -> None:
    login_manager.user_loader(load_user)
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if hops:  # the client's address and scheme as the trusted proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def load_user(login_id: str) -> User | None:
    parts = parse_login_id(login_id)
    if parts is None:
        return None
    user_id, version = parts
    user = db.session.get(User, user_id)
    return user if user is not None and user.accepts_session(version) else None
