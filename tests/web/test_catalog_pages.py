"""Project, building and premise pages as a head of sales uses them.

Every bad input must come back as a Russian message next to its field and write nothing.
"""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import html
from sqlalchemy import func, select

from models.catalog.objects import (
    Building,
    Premise,
    PremiseChange,
    PremiseKind,
    PremiseStatus,
    Project,
    Section,
)
from models.users.user import Role
from web.extensions import db

NBSP = "\u00a0"


# ---------------------------------------------------------------- helpers


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def field_errors(page: bytes, name: str) -> list[str]:
    """Messages shown in the form group of the field `name` (the `field` macro's markup)."""
    tree = html.fromstring(page)
    inputs = tree.xpath(f'//*[@name="{name}"]')
    assert inputs, f"no field {name} on the page"
    group = inputs[0].xpath('ancestor::div[contains(concat(" ", @class, " "), " mb-3 ")][1]')[0]
    return [
        " ".join(e.text_content().split())
        for e in group.xpath('.//*[contains(@class, "invalid-feedback")]')
    ]


def premise_data(**overrides) -> dict:
    data = {
        "number": "101",
        "kind": "apartment",
        "section": "1",
        "floor": "5",
        "rooms": "2",
        "total_area": "55,5",
        "living_area": "30",
        "kitchen_area": "12,4",
        "price": "12 345 678",
        "finishing": "none",
        "status": "available",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def building_data(**overrides) -> dict:
    data = {
        "name": "Корпус 2",
        "address": "г. Москва, ул. Лесная, д. 12, корп. 2",
        "stage": "frame",
        "commissioning_date": "2028-09-30",
        "escrow_bank": "Банк ВТБ (ПАО)",
        "time_zone": "Europe/Moscow",
        "floors_above": "12",
        "floors_below": "1",
        "sections_count": "3",
    }
    data.update(overrides)
    return data


def premise_row(premise_id: int) -> tuple:
    db.session.expire_all()
    p = db.session.get(Premise, premise_id)
    return (
        p.number,
        p.floor_id,
        p.rooms,
        p.total_area,
        p.living_area,
        p.kitchen_area,
        p.price,
        p.status,
        p.is_studio,
        p.layout_image,
    )


def tiny_png() -> bytes:
    """A valid 1×1 PNG, made here so the test needs no fixture file."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2f\xb3\x44")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def history_rows(page: bytes) -> list[list[str]]:
    tree = html.fromstring(page)
    table = tree.xpath('//h2[contains(., "История")]/following-sibling::table[1]')[0]
    return [[td.text_content().strip() for td in tr.xpath("td")] for tr in table.xpath("tbody/tr")]


@pytest.fixture
def head(login_as):
    return login_as(Role.head_of_sales)


@pytest.fixture
def building(make_building):
    return make_building(floors_above=10, sections=2)


# ---------------------------------------------------------------- projects


def test_head_of_sales_creates_a_project(client, head):
    assert client.get("/projects/new").status_code == 200

    response = client.post(
        "/projects/new",
        data={"name": " Северный парк ", "city": "Москва", "developer_name": "ООО «СЗ»"},
    )

    project = db.session.scalar(select(Project))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert (project.name, project.city, project.developer_name) == (
        "Северный парк",
        "Москва",
        "ООО «СЗ»",
    )


def test_head_of_sales_renames_a_project(client, head, make_project):
    project = make_project("Старое имя")
    assert client.get(f"/projects/{project.id}/edit").status_code == 200

    response = client.post(f"/projects/{project.id}/edit", data={"name": "Новое имя"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "Новое имя"


def test_project_name_already_taken_is_refused_whatever_the_case(client, head, make_project):
    make_project("Тестовый парк")

    response = client.post("/projects/new", data={"name": "тестовый ПАРК"})

    assert response.status_code == 200
    assert field_errors(response.data, "name") == ["ЖК с таким названием уже есть"]
    assert count(Project) == 1


def test_renaming_a_project_to_another_projects_name_is_refused(client, head, make_project):
    make_project("Первый")
    second = make_project("Второй")

    response = client.post(f"/projects/{second.id}/edit", data={"name": "Первый"})

    assert field_errors(response.data, "name") == ["ЖК с таким названием уже есть"]
    db.session.expire_all()
    assert db.session.get(Project, second.id).name == "Второй"


def test_project_without_a_name_is_refused(client, head):
    response = client.post("/projects/new", data={"name": "  ", "city": "Москва"})

    assert field_errors(response.data, "name") == ["Обязательное поле"]
    assert count(Project) == 0


# ---------------------------------------------------------------- buildings


def test_head_of_sales_creates_a_building_with_its_sections(client, head, make_project):
    project = make_project()
    assert client.get(f"/projects/{project.id}/buildings/new").status_code == 200

    response = client.post(f"/projects/{project.id}/buildings/new", data=building_data())

    building = db.session.scalar(select(Building))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/buildings/{building.id}")
    assert building.name == "Корпус 2"
    assert (building.floors_above, building.floors_below) == (12, 1)
    assert str(building.commissioning_date) == "2028-09-30"
    assert [s.number for s in building.sections] == [1, 2, 3]


def test_head_of_sales_edits_a_building_and_adds_a_section(client, head, building):
    assert client.get(f"/buildings/{building.id}/edit").status_code == 200

    response = client.post(
        f"/buildings/{building.id}/edit",
        data=building_data(name="Корпус 1А", floors_above="14", sections_count="3"),
    )

    assert response.status_code == 302
    db.session.expire_all()
    building = db.session.get(Building, building.id)
    assert (building.name, building.floors_above) == ("Корпус 1А", 14)
    assert [s.number for s in building.sections] == [1, 2, 3]


def test_building_name_already_in_the_project_is_refused(client, head, building):
    response = client.post(
        f"/projects/{building.project_id}/buildings/new", data=building_data(name="корпус 1")
    )

    assert field_errors(response.data, "name") == ["В этом ЖК уже есть корпус с таким названием"]
    assert count(Building) == 1
    assert count(Section) == 2


def test_same_building_name_in_another_project_is_allowed(client, head, building, make_project):
    other = make_project("Другой ЖК")

    response = client.post(
        f"/projects/{other.id}/buildings/new", data=building_data(name="Корпус 1")
    )

    assert response.status_code == 302
    assert count(Building) == 2


def test_renaming_a_building_to_its_neighbours_name_is_refused(
    client, head, building, make_building
):
    second = make_building(project=building.project, name="Корпус 2")

    response = client.post(
        f"/buildings/{second.id}/edit",
        data=building_data(name="Корпус 1", floors_above="10", floors_below="0"),
    )

    assert field_errors(response.data, "name") == ["В этом ЖК уже есть корпус с таким названием"]
    db.session.expire_all()
    assert db.session.get(Building, second.id).name == "Корпус 2"


def test_building_with_text_for_floors_is_refused(client, head, make_project):
    project = make_project()

    response = client.post(
        f"/projects/{project.id}/buildings/new", data=building_data(floors_above="много")
    )

    assert field_errors(response.data, "floors_above") == ["Введите целое число"]
    assert count(Building) == 0


def test_reducing_floors_below_an_existing_premise_is_refused(client, head, building, make_premise):
    make_premise(building, number="81", floor=8)

    response = client.post(
        f"/buildings/{building.id}/edit",
        data=building_data(name=building.name, floors_above="5", floors_below="0"),
    )

    assert response.status_code == 200
    assert field_errors(response.data, "floors_above") == ["В корпусе есть помещения на 8 этаже"]
    db.session.expire_all()
    assert db.session.get(Building, building.id).floors_above == 10


def test_removing_the_underground_floor_of_a_parking_is_refused(
    client, head, make_building, make_premise
):
    building = make_building(floors_below=1)
    make_premise(building, number="М-1", floor=-1, kind=PremiseKind.parking, rooms=0)

    response = client.post(
        f"/buildings/{building.id}/edit",
        data=building_data(name=building.name, floors_above="10", floors_below="0"),
    )

    assert field_errors(response.data, "floors_below") == ["В корпусе есть помещения на -1 этаже"]
    db.session.expire_all()
    assert db.session.get(Building, building.id).floors_below == 1


# ---------------------------------------------------------------- premises: create and edit


def test_head_of_sales_creates_a_premise_typed_the_russian_way(client, head, building):
    assert client.get(f"/buildings/{building.id}/premises/new").status_code == 200

    response = client.post(f"/buildings/{building.id}/premises/new", data=premise_data())

    premise = db.session.scalar(select(Premise))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/premises/{premise.id}")
    assert premise.number == "101"
    assert (premise.section.number, premise.floor.number) == (1, 5)
    assert premise.total_area == Decimal("55.50")
    assert premise.kitchen_area == Decimal("12.40")
    assert premise.price == Decimal("12345678.00")
    assert premise.status == PremiseStatus.available


def test_premise_edit_form_is_filled_with_the_premise(client, head, building, make_premise):
    premise = make_premise(building, number="7", floor=3, section=2, total_area="41.25")

    page = html.fromstring(client.get(f"/premises/{premise.id}/edit").data)

    def value(name):
        return page.xpath(f'//input[@name="{name}"]/@value')[0]

    assert (value("number"), value("section"), value("floor")) == ("7", "2", "3")
    assert value("total_area") == "41,25"
    selected = page.xpath('//select[@name="status"]/option[@selected]/@value')
    assert selected == ["available"]


def test_money_and_area_inputs_accept_the_comma_a_browser_would_blank(
    client, head, building, make_premise
):
    # A browser shows "41,25" in an <input type="number"> as empty and posts "": the form
    # would then refuse to save unchanged.
    premise = make_premise(building, total_area="41.25")

    page = html.fromstring(client.get(f"/premises/{premise.id}/edit").data)

    for name in ("price", "total_area", "living_area", "kitchen_area"):
        [field] = page.xpath(f'//input[@name="{name}"]')
        assert (field.get("type"), field.get("inputmode")) == ("text", "decimal")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "-1", "Цена не может быть отрицательной"),
        ("price", "двенадцать миллионов", "Введите число, например 12 345,50"),
        ("total_area", "0", "Площадь должна быть больше нуля"),
        ("total_area", "-5", "Площадь должна быть больше нуля"),
        ("total_area", "abc", "Введите число, например 12 345,50"),
        ("living_area", "60", "Жилая площадь не может быть больше общей"),
        ("kitchen_area", "56", "Площадь кухни не может быть больше общей"),
        ("living_area", "-1", "Площадь не может быть отрицательной"),
        ("rooms", "две", "Введите целое число"),
        ("floor", "пятый", "Введите целое число"),
        ("floor", "", "Обязательное поле"),
        ("number", "", "Обязательное поле"),
    ],
)
def test_bad_premise_input_is_refused_next_to_its_field(
    client, head, building, field, value, message
):
    response = client.post(
        f"/buildings/{building.id}/premises/new", data=premise_data(**{field: value})
    )

    assert response.status_code == 200
    assert field_errors(response.data, field) == [message]
    assert count(Premise) == 0
    assert count(PremiseChange) == 0


def test_studio_with_three_rooms_is_refused(client, head, building):
    response = client.post(
        f"/buildings/{building.id}/premises/new",
        data=premise_data(rooms="3", is_studio="y"),
    )

    assert field_errors(response.data, "rooms") == ["Студия не может иметь больше одной комнаты"]
    assert count(Premise) == 0


def test_floor_outside_the_building_is_refused_and_creates_no_floor(
    client, db_session, head, building
):
    db_session.commit()  # the refused request rolls back the session it shares with the test
    response = client.post(
        f"/buildings/{building.id}/premises/new", data=premise_data(floor="30", section="3")
    )

    assert field_errors(response.data, "floor") == [
        "Этаж 30 вне здания: в корпусе «Корпус 1» этажи от 1 до 10"
    ]
    assert count(Premise) == 0
    assert count(Section) == 2  # the new section 3 was not kept either


def test_duplicate_premise_number_in_a_building_is_refused(
    client, head, building, make_premise, db_session
):
    make_premise(building, number="101")
    db_session.commit()  # the refused request rolls back the session it shares with the test

    response = client.post(
        f"/buildings/{building.id}/premises/new", data=premise_data(number=" 101 ")
    )

    assert field_errors(response.data, "number") == ["В корпусе уже есть помещение № 101"]
    assert count(Premise) == 1


def test_same_premise_number_in_another_building_is_allowed(
    client, head, building, make_building, make_premise
):
    other = make_building(project=building.project, name="Корпус 2")
    make_premise(other, number="101")

    response = client.post(f"/buildings/{building.id}/premises/new", data=premise_data())

    assert response.status_code == 302
    assert count(Premise) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "-100"),
        ("total_area", "0"),
        ("living_area", "99"),
        ("floor", "30"),
        ("number", "202"),
        ("rooms", "3"),
    ],
)
def test_bad_edit_of_a_premise_changes_nothing(
    client, db_session, head, building, make_premise, field, value
):
    make_premise(building, number="202", floor=2)
    premise = make_premise(
        building, number="101", floor=5, total_area="55.50", living_area=Decimal("30.00")
    )
    db_session.commit()  # the refused request rolls back the session it shares with the test
    before = premise_row(premise.id)
    data = premise_data(**{field: value})
    if field == "rooms":
        data["is_studio"] = "y"

    response = client.post(f"/premises/{premise.id}/edit", data=data)

    assert response.status_code == 200
    assert field_errors(response.data, field)
    assert premise_row(premise.id) == before
    assert count(PremiseChange) == 0


# ---------------------------------------------------------------- premise card and history


def test_card_shows_money_with_kopecks_and_non_breaking_spaces(
    client, head, building, make_premise
):
    premise = make_premise(building, price="12345678")

    page = html.fromstring(client.get(f"/premises/{premise.id}").data)

    price = page.xpath('//*[@data-testid="premise-price"]')[0].text_content().strip()
    assert price == f"12{NBSP}345{NBSP}678,00{NBSP}₽"


def test_price_change_appears_in_the_history_with_who_and_when(
    client, clock, head, building, make_premise
):
    premise = make_premise(building, number="101", floor=5, price="10000000")

    client.post(f"/premises/{premise.id}/edit", data=premise_data(price="12 345 678"))

    rows = history_rows(client.get(f"/premises/{premise.id}").data)
    assert len(rows) == 1
    when, what, old, new, who, source = rows[0]
    assert (what, old, new, who, source) == (
        "Цена",
        f"10{NBSP}000{NBSP}000,00{NBSP}₽",
        f"12{NBSP}345{NBSP}678,00{NBSP}₽",
        head.full_name,
        "вручную",
    )
    assert when == clock.now.astimezone(ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y %H:%M")


def test_manual_status_change_appears_in_the_history(client, head, building, make_premise):
    premise = make_premise(building, number="101", floor=5, price="12345678")

    client.post(f"/premises/{premise.id}/edit", data=premise_data(status="not_for_sale"))

    db.session.expire_all()
    assert db.session.get(Premise, premise.id).status == PremiseStatus.not_for_sale
    rows = history_rows(client.get(f"/premises/{premise.id}").data)
    assert [row[1:] for row in rows] == [
        ["Статус", "Свободно", "Не в продаже", head.full_name, "вручную"]
    ]


def test_saving_an_unchanged_premise_adds_no_history(client, head, building, make_premise):
    premise = make_premise(building, number="101", floor=5, price="12345678")

    client.post(f"/premises/{premise.id}/edit", data=premise_data())

    assert count(PremiseChange) == 0
    page = client.get(f"/premises/{premise.id}").data.decode()
    assert "Изменений не было." in page


def test_reserved_premise_status_field_is_locked_on_the_edit_form(
    client, head, building, make_premise
):
    premise = make_premise(building, number="101", floor=5, status=PremiseStatus.reserved)

    page = html.fromstring(client.get(f"/premises/{premise.id}/edit").data)

    select_ = page.xpath('//select[@name="status"]')[0]
    assert select_.get("disabled") is not None
    assert select_.xpath("option/@value") == ["reserved"]
    assert "Статус меняют бизнес-процессы" in select_.getparent().text_content()


def test_reserved_premise_status_cannot_be_changed_from_the_edit_form(
    client, head, building, make_premise
):
    premise = make_premise(building, number="101", floor=5, status=PremiseStatus.reserved)

    client.post(f"/premises/{premise.id}/edit", data=premise_data(status="not_for_sale"))

    db.session.expire_all()
    assert db.session.get(Premise, premise.id).status == PremiseStatus.reserved
    assert db.session.scalar(select(func.count()).where(PremiseChange.field == "status")) == 0


def test_reserved_premise_keeps_its_status_when_its_price_is_edited(
    client, head, building, make_premise
):
    """A browser does not send a disabled field: the form must still save the rest."""
    premise = make_premise(building, number="101", floor=5, status=PremiseStatus.reserved)

    response = client.post(
        f"/premises/{premise.id}/edit", data=premise_data(price="11 000 000", status=None)
    )

    assert response.status_code == 302
    db.session.expire_all()
    premise = db.session.get(Premise, premise.id)
    assert (premise.status, premise.price) == (PremiseStatus.reserved, Decimal("11000000.00"))


# ---------------------------------------------------------------- layout plan


def test_uploaded_png_layout_is_served_back(client, head, building, make_premise):
    premise = make_premise(building, number="101", floor=5, price="12345678")
    png = tiny_png()

    response = client.post(
        f"/premises/{premise.id}/edit",
        data=premise_data(layout_image=(io.BytesIO(png), "План 101.PNG")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    served = client.get(f"/premises/{premise.id}/layout")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.data == png
    card = html.fromstring(client.get(f"/premises/{premise.id}").data)
    assert card.xpath("//img/@src") == [f"/premises/{premise.id}/layout"]


def test_exe_upload_is_refused_with_a_message(app, client, head, building, make_premise):
    premise = make_premise(building, number="101", floor=5, price="12345678")
    uploads = Path(app.config["UPLOAD_FOLDER"]) / "layouts"
    files_before = set(uploads.glob("*")) if uploads.exists() else set()

    response = client.post(
        f"/premises/{premise.id}/edit",
        data=premise_data(price="1", layout_image=(io.BytesIO(b"MZ\x90\x00"), "plan.exe")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert field_errors(response.data, "layout_image") == ["Только PNG или JPG"]
    assert premise_row(premise.id)[-1] is None
    assert premise_row(premise.id)[6] == Decimal("12345678.00")
    files_after = set(uploads.glob("*")) if uploads.exists() else set()
    assert files_after == files_before
    assert client.get(f"/premises/{premise.id}/layout").status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "plan.svg",
            "Только PNG или JPG",
        ),
        (
            b"<html><script>alert(1)</script></html>",
            "plan.png",
            "Файл не является изображением PNG или JPG",
        ),
    ],
    ids=["svg", "html-renamed-png"],
)
def test_a_plan_that_could_carry_a_script_is_refused(
    app, client, head, building, make_premise, content, name, message
):
    premise = make_premise(building, number="101", floor=5, price="12345678")
    response = client.post(
        f"/premises/{premise.id}/edit",
        data=premise_data(price="1", layout_image=(io.BytesIO(content), name)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert field_errors(response.data, "layout_image") == [message]
    assert premise_row(premise.id)[-1] is None
    assert premise_row(premise.id)[6] == Decimal("12345678.00")
