"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired

from models.users.user import User
from web import sqlite_locking
from web.extensions import db
from web.security import ALL_ROLES, public, requires

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    # No format check here: email_validator refuses special-use domains such as the demo
    # logins' «demo.local»; a login only has to match an existing employee.
    email = EmailField("Эл. почта", validators=[DataRequired("Укажите эл. почту")])
    password = PasswordField("Пароль", validators=[DataRequired("Укажите пароль")])
    remember = BooleanField("Запомнить меня")


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("catalog.projects")


@bp.route("/login", methods=["GET", "POST"])
@sqlite_locking.reads_only
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.projects"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None or not user.is_active or not user.check_password(form.password.data):
            flash("Неверная эл. почта или пароль", "danger")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@sqlite_locking.reads_only
@requires(ALL_ROLES)
def logout():
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
