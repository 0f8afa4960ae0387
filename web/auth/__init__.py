"""Login and logout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired

from engine.users.login import authenticate, log_out, remember_for
from models.users.login_failures import LoginLocked
from web import edge, sqlite_locking
from web.extensions import db
from web.forms import Form
from web.redirects import safe_next
from web.security import ALL_ROLES, public, requires

bp = Blueprint("auth", __name__)


class LoginForm(Form):
    # No format check here: email_validator refuses special-use domains such as the demo
    # logins' «demo.local»; a login only has to match an existing employee.
    email = EmailField("Эл. почта", validators=[DataRequired("Укажите эл. почту")])
    password = PasswordField("Пароль", validators=[DataRequired("Укажите пароль")])
    remember = BooleanField("Запомнить меня")


@bp.route("/login", methods=["GET", "POST"])
@sqlite_locking.reads_only
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.projects"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    with edge.unit_of_work(only=LoginLocked) as work:  # a flash; nothing is written when locked
        address = request.remote_addr or ""
        user = authenticate(db.session, form.email.data, form.password.data, address)
    if work.failed:
        return render_template("auth/login.html", form=form), work.error.status
    if user is None:
        flash("Неверная эл. почта или пароль", "danger")
        return render_template("auth/login.html", form=form)
    duration = remember_for(db.session) if form.remember.data else None
    login_user(user, remember=form.remember.data, duration=duration)
    return redirect(safe_next(request.args.get("next"), url_for("catalog.projects")))


@bp.route("/logout", methods=["POST"])
@requires(ALL_ROLES)
def logout():
    log_out(current_user)
    logout_user()
    flash("Вы вышли из системы", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
@requires(ALL_ROLES)
def home():
    return redirect(url_for("catalog.projects"))


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the product's icon, not a 404."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
