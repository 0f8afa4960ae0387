"""Administration: employees and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, select
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models.users.passwords import MIN_PASSWORD_LENGTH, WeakPassword, check_new_password
from models.users.user import (
    ROLE_LABELS,
    Role,
    User,
    normalise_staff_email,
)
from web import navigation
from web.extensions import db
from web.forms import Form
from web.security import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")
navigation.add("Сотрудники", "admin.users", [Role.admin], "Администрирование")

ROLE_CHOICES = [(r.value, label) for r, label in ROLE_LABELS.items()]


class UserForm(Form):
    email = StringField(
        "Эл. почта",
        render_kw={"inputmode": "email", "autocomplete": "email"},
        validators=[
            DataRequired("Укажите эл. почту"),
            Length(max=254),
        ],
    )
    full_name = StringField("ФИО", validators=[Optional(), Length(max=200)])
    role = SelectField("Роль", choices=ROLE_CHOICES)
    password = PasswordField(
        "Пароль",
        description=f"Не короче {MIN_PASSWORD_LENGTH} символов, не из самых распространённых, "
        "без эл. почты и имени сотрудника.",
    )
    is_active = BooleanField("Активен", default=True)

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def validate_email(self, field):
        try:
            email = normalise_staff_email(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        other = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if other is not None and other is not self._user:
            raise ValidationError("Сотрудник с такой эл. почтой уже есть")

    def validate_password(self, field):
        if not field.data:
            if self._user is None:
                raise ValidationError("Задайте пароль новому сотруднику")
            return
        try:
            check_new_password(
                field.data, email=self.email.data or "", full_name=self.full_name.data or ""
            )
        except WeakPassword as error:
            raise ValidationError(error.message) from None


@bp.route("/users")
@requires(Role.admin)
def users():
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Role.admin)
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        user = User(email=form.email.data.strip().lower(), role=Role(form.role.data))
        _fill(user, form)
        db.session.add(user)
        flash(f"Сотрудник {user.email} создан", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Role.admin)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user, user=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (
            not form.is_active.data or form.role.data != Role.admin.value
        ):
            form.role.errors.append("Нельзя лишить себя роли администратора или заблокировать")
        else:
            user.email = form.email.data.strip().lower()
            user.role = Role(form.role.data)
            _fill(user, form)
            flash("Изменения сохранены", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


def _fill(user: User, form: UserForm) -> None:
    user.full_name = (form.full_name.data or "").strip()
    user.is_active = form.is_active.data
    if form.password.data:
        user.change_password(form.password.data)  # ends the sessions opened with the old one
        if user.id is not None and user.id == current_user.id:
            login_user(user)  # the admin's own session goes on, with the new session version


from web.admin import settings  # noqa: E402, F401
