"""Command-line verbs: `flask users create` and `flask demo load`."""

from __future__ import annotations

from sqlalchemy import func, select

from models.catalog.objects import Building, Premise, Project
from models.users.user import Role, User
from web.extensions import db


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# ---------------------------------------------------------------- users create


def test_admin_creates_an_employee_from_the_command_line(app):
    result = run(
        app,
        "users",
        "create",
        "--email",
        " Ivanova@Example.RU ",
        "--role",
        "sales_manager",
        "--name",
        "Иванова Мария",
        input="pa55word\npa55word\n",
    )

    assert result.exit_code == 0, result.output
    assert "Создан сотрудник ivanova@example.ru с ролью sales_manager" in result.output
    created = user("ivanova@example.ru")
    assert (created.role, created.full_name, created.is_active) == (
        Role.sales_manager,
        "Иванова Мария",
        True,
    )
    assert created.check_password("pa55word")
    assert not created.check_password("pa55worD")


def test_second_employee_with_the_same_email_is_refused(app, make_user):
    make_user(Role.lawyer, email="lawyer@example.ru")
    db.session.commit()  # the refused command rolls back its own work, not the test's rows

    result = run(
        app,
        *("users", "create", "--email", "LAWYER@example.ru", "--role", "analyst"),
        input="pa55word\npa55word\n",
    )

    assert result.exit_code == 1
    assert "сотрудник lawyer@example.ru уже есть" in result.output
    assert count(User) == 1
    assert user("lawyer@example.ru").role == Role.lawyer


def test_unknown_role_is_refused_and_the_roles_are_listed(app):
    result = run(
        app,
        *("users", "create", "--email", "boss@example.ru", "--role", "boss"),
        input="pa55word\npa55word\n",
    )

    assert result.exit_code == 2
    assert "'boss'" in result.output
    for role in Role:
        assert role.value in result.output
    assert count(User) == 0


def test_passwords_that_differ_are_asked_again(app):
    result = run(
        app,
        *("users", "create", "--email", "a@example.ru", "--role", "admin"),
        input="first1\nsecond2\nfinal99\nfinal99\n",
    )

    assert result.exit_code == 0, result.output
    assert user("a@example.ru").check_password("final99")


def test_too_short_password_is_refused(app):
    result = run(
        app,
        *("users", "create", "--email", "a@example.ru", "--role", "admin"),
        input="pw\npw\n",
    )

    assert result.exit_code == 2
    assert "пароль не короче 4 символов" in result.output
    assert count(User) == 0


def test_email_without_at_sign_is_refused(app):
    result = run(
        app,
        *("users", "create", "--email", "nobody", "--role", "admin"),
        input="pa55word\npa55word\n",
    )

    assert result.exit_code == 2
    assert "адрес эл. почты указан неверно" in result.output
    assert count(User) == 0


# ---------------------------------------------------------------- demo load


def test_demo_load_builds_a_project_with_premises_of_every_kind_and_one_user_per_role(app):
    result = run(app, "demo", "load")

    assert result.exit_code == 0, result.output
    assert count(Project) == 1
    assert count(Building) >= 2
    premises = count(Premise)
    assert premises >= 580
    assert f"{premises} помещений" in result.output
    kinds = db.session.execute(select(Premise.kind, func.count()).group_by(Premise.kind)).all()
    assert len(kinds) >= 3, kinds
    statuses = db.session.scalars(select(Premise.status).distinct()).all()
    assert len(statuses) >= 4, statuses
    per_building = db.session.scalars(
        select(func.count(Premise.id)).group_by(Premise.building_id)
    ).all()
    assert len(per_building) >= 2 and min(per_building) > 0
    for role in Role:
        demo_user = user(f"{role.value}@demo.local")
        assert demo_user is not None, role
        assert demo_user.role == role
        assert demo_user.check_password("demo")


def test_demo_load_if_empty_does_nothing_the_second_time(app):
    first = run(app, "demo", "load", "--if-empty")
    assert first.exit_code == 0, first.output
    counts = (count(Project), count(Building), count(Premise), count(User))

    second = run(app, "demo", "load", "--if-empty")

    assert second.exit_code == 0, second.output
    assert "Демо-данные не нужны" in second.output
    assert (count(Project), count(Building), count(Premise), count(User)) == counts


def test_demo_load_keeps_existing_employees(app, make_user):
    existing = make_user(Role.admin, email="admin@demo.local", full_name="Настоящий админ")

    result = run(app, "demo", "load")

    assert result.exit_code == 0, result.output
    kept = user("admin@demo.local")
    assert (kept.id, kept.full_name) == (existing.id, "Настоящий админ")
    assert kept.check_password("secret")
    assert count(User) == len(Role)
