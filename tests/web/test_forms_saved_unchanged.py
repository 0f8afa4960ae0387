"""A form saved as it was shown changes nothing (issue 13, § 2): what a browser sends back for a
text in several lines, a notification text and a business setting (the browser round trip is
tests/e2e/test_forms_round_trip_in_browser.py)."""

from __future__ import annotations

from decimal import Decimal

from lxml import html
from sqlalchemy import func, select

from engine.notifications import templates as message_templates
from models.catalog.objects import Premise, PremiseChange, Project
from models.notifications.outbox import NotificationTemplate
from models.settings.store import Setting, set_setting
from models.users.user import Role
from web.extensions import db

KEY = ("task_due", "staff", "email")
TEMPLATE = "/admin/notifications/templates/edit?event=task_due&audience=staff&channel=email"


def stored(model) -> list:
    rows = db.session.scalars(select(model).order_by(model.id)).all()
    found = [{c.name: getattr(row, c.name) for c in model.__table__.columns} for row in rows]
    db.session.rollback()
    return found


def shown_value(page: bytes, name: str) -> str:
    return html.fromstring(page).xpath(f'//*[@name="{name}"]')[0].get("value")


def form_as_shown(page: bytes) -> dict[str, str]:
    """What a browser sends for a form nobody touched: inputs, checked boxes, selected options."""
    form = html.fromstring(page).xpath("//main//form[@method='post']")[0]
    sent = {}
    for element in form.xpath(".//input[@name] | .//textarea[@name] | .//select[@name]"):
        name, kind = element.get("name"), element.get("type", "")
        if element.get("disabled") is not None or kind == "file":
            continue
        if element.tag == "select":
            chosen = element.xpath("./option[@selected]/@value") or element.xpath("./option/@value")
            sent[name] = chosen[0]
        elif kind == "checkbox":
            if element.get("checked") is not None:
                sent[name] = element.get("value", "y")
        elif element.tag == "textarea":
            sent[name] = element.text or ""
        else:
            sent[name] = element.get("value", "")
    return sent


def flashes(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


# ------------------------------------------------------------- numbers and money


def test_a_premise_shows_its_price_the_russian_way_and_saved_as_shown_changes_nothing(
    client, login_as, make_building, make_premise
):
    premise = make_premise(
        make_building(), total_area="61.20", price="12269000.55", living_area="19.35"
    )
    premise.kitchen_area = Decimal("10.50")
    login_as(Role.head_of_sales)
    before = stored(Premise)
    page = client.get(f"/premises/{premise.id}/edit").data
    sent = form_as_shown(page)

    response = client.post(f"/premises/{premise.id}/edit", data=sent)

    assert (sent["price"], sent["living_area"], sent["kitchen_area"]) == (
        "12\u00a0269\u00a0000,55",
        "19,35",
        "10,50",
    )
    assert response.status_code == 302
    assert stored(Premise) == before
    assert stored(PremiseChange) == []


# ------------------------------------------------------------- text in several lines


def test_a_description_in_several_lines_comes_back_from_the_browser_as_it_was_stored(
    client, login_as, make_project
):
    project = make_project(name="Северный парк")
    project.description = "Комфорт-класс у парка.\nДва корпуса."
    login_as(Role.head_of_sales)

    response = client.post(  # a browser sends the lines of a textarea joined by CR LF
        f"/projects/{project.id}/edit",
        data={"name": "Северный парк", "description": "Комфорт-класс у парка.\r\nДва корпуса."},
    )

    assert response.status_code == 302
    assert db.session.get(Project, project.id).description == "Комфорт-класс у парка.\nДва корпуса."


# ------------------------------------------------------------- notification texts


def test_a_default_notification_text_saved_unchanged_stores_no_copy_of_it(client, login_as):
    login_as(Role.admin)
    text = message_templates.default_text(*KEY)

    response = client.post(
        TEMPLATE,
        data={"subject": text.subject, "body": text.body, "action": "save"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "«Срок задачи подходит»: текст не изменился" in flashes(response)
    assert stored(NotificationTemplate) == []


def test_a_changed_notification_text_saved_unchanged_keeps_its_row_as_it_was(client, login_as):
    admin = login_as(Role.admin)
    message_templates.save(
        db.session,
        KEY,
        subject="Задача: {title}",
        body="Срок {due_at_text}.\nНе забудьте.",
        user_id=None,
    )
    db.session.commit()
    before = stored(NotificationTemplate)

    response = client.post(
        TEMPLATE,
        data={
            "subject": "Задача: {title}",
            "body": "Срок {due_at_text}.\r\nНе забудьте.",
            "action": "save",
        },
    )

    assert response.status_code == 302
    assert stored(NotificationTemplate) == before
    assert before[0]["updated_by_id"] != admin.id


# ------------------------------------------------------------- business settings


def test_a_default_setting_saved_unchanged_stores_no_value(client, login_as):
    login_as(Role.head_of_sales)
    page = client.get("/admin/settings").data
    shown = shown_value(page, "reservation_term_online-value")

    response = client.post(
        "/admin/settings/reservation.term.online",
        data={"reservation_term_online-value": shown},
        follow_redirects=True,
    )

    assert shown == "P1D"
    assert "«Срок онлайн-брони»: значение не изменилось" in flashes(response)
    assert stored(Setting) == []


def test_a_project_saving_the_general_value_unchanged_gets_no_override(
    client, login_as, make_project
):
    project = make_project(name="Северный парк")
    set_setting(db.session, "reservation.term.offline", "P5D")
    login_as(Role.head_of_sales)
    before = stored(Setting)
    page = client.get(f"/admin/settings?project={project.id}").data

    response = client.post(
        f"/admin/settings/reservation.term.offline?project={project.id}",
        data={
            "reservation_term_offline-value": shown_value(page, "reservation_term_offline-value")
        },
    )

    assert response.status_code == 302
    assert stored(Setting) == before


def test_a_money_setting_is_shown_the_russian_way_and_saved_unchanged_keeps_its_row(
    client, login_as
):
    set_setting(db.session, "reservation.paid_fee", "75000.50")
    login_as(Role.head_of_sales)
    before = stored(Setting)
    page = client.get("/admin/settings").data
    shown = shown_value(page, "reservation_paid_fee-value")

    response = client.post(
        "/admin/settings/reservation.paid_fee", data={"reservation_paid_fee-value": shown}
    )

    assert shown == "75\u00a0000,50"
    assert response.status_code == 302
    assert stored(Setting) == before


def test_a_changed_setting_is_still_saved(client, login_as):
    user = login_as(Role.head_of_sales)

    response = client.post(
        "/admin/settings/reservation.paid_fee", data={"reservation_paid_fee-value": "60 000,00"}
    )

    assert response.status_code == 302
    rows = stored(Setting)
    assert [(r["value"], r["updated_by_id"]) for r in rows] == [("60000.00", user.id)]
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 1
