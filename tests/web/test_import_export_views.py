"""Price-list import and export through the web: dry run, apply, downloads, refusals."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from models.catalog.objects import Building, Premise, PremiseChange, PremiseStatus
from models.users.user import Role

HEADER = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена", "Статус"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(*rows: list) -> bytes:
    workbook = Workbook()
    for row in (HEADER, *rows):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, project_id: int, data: bytes, name: str):
    return client.post(
        f"/projects/{project_id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def apply_url(page: str) -> str:
    match = re.search(r'action="(/projects/\d+/import/[0-9a-f]{32}/apply)"', page)
    assert match, "no «Применить» form on the page"
    return match.group(1)


def counts(db_session) -> tuple[int, int, int]:
    return tuple(
        db_session.scalar(select(func.count()).select_from(model))
        for model in (Building, Premise, PremiseChange)
    )


@pytest.fixture
def imports_folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]).parent / "imports"


@pytest.fixture
def building(make_building, make_premise):
    building = make_building(name="Корпус 1", floors_above=9, sections=1)
    make_premise(building, number="1", floor=1, price="5000000.00")
    make_premise(building, number="2", floor=2, price="7000000.00", status=PremiseStatus.sold)
    make_premise(building, number="3", floor=3, price="9000000.00", total_area="80.00")
    return building


def test_editor_checks_a_file_then_applies_it(
    client, login_as, db_session, building, imports_folder
):
    user = login_as(Role.head_of_sales)
    data = xlsx(
        ["Корпус 1", 1, 1, "1", 50, "5 500 000", "Свободно"],
        ["Корпус 1", 1, 4, "4", 41.5, 6100000, "Свободно"],
        ["Корпус 2", 1, 12, "1", 38, 4900000, "Не в продаже"],
    )

    page = upload(client, building.project_id, data, "прайс.xlsx").get_data(as_text=True)

    assert "будет создано 2, обновлено 1, без изменений 0" in page
    assert "Будут созданы корпуса: «Корпус 2» (этажей: 12)" in " ".join(page.split())
    assert db_session.scalar(select(func.count()).select_from(Premise)) == 3
    assert len(list(imports_folder.glob("*.xlsx"))) == 1

    response = client.post(apply_url(page))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{building.project_id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Импорт выполнен: создано 2, обновлено 1, без изменений 0." in page
    assert db_session.scalar(select(func.count()).select_from(Premise)) == 5
    flat = db_session.scalar(
        select(Premise).where(Premise.number == "1", Premise.building_id == building.id)
    )
    assert flat.price == Decimal("5500000.00")
    assert (flat.changes[0].source, flat.changes[0].user_id) == ("import", user.id)
    assert list(imports_folder.glob("*.xlsx")) == []


def test_dry_run_lists_problems_in_russian_and_writes_nothing(
    client, login_as, db_session, building
):
    login_as(Role.admin)
    before = counts(db_session)
    data = xlsx(
        ["Корпус 1", 1, 1, "1", -50, "5 500 000", "Свободно"],
        ["Корпус 1", 1, 2, "2", 40, "много", "Продано"],
        ["Корпус 1", 1, 2, "2", 40, 1, "Продано"],
    )

    response = upload(client, building.project_id, data, "prices.xlsx")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "не импортирован: найдено ошибок — 4" in page and "Ничего не изменено" in page
    table = page[page.index('data-testid="import-problems"') :]
    for line, column, message in [
        (2, "Общая площадь", "Площадь должна быть больше нуля"),
        (3, "Цена", "Ожидается число, например 12 345,50"),
        (4, "Номер", "Помещение № 2 корпуса «Корпус 1» уже есть в строке 3"),
        (4, "Цена", "Цена помещения № 2 зафиксирована: оно в статусе «Продано»"),
    ]:
        assert re.search(
            rf"<td[^>]*>{line}</td><td>{column}</td><td>{re.escape(message)}</td>", table
        ), (line, column, message)
    assert "/apply" not in page
    assert counts(db_session) == before


def test_apply_checks_the_file_again_because_data_may_have_changed(
    client, login_as, db_session, building
):
    login_as(Role.head_of_sales)
    page = upload(
        client,
        building.project_id,
        xlsx(["Корпус 1", 1, 3, "3", 80, 9500000, "Не в продаже"]),
        "p.xlsx",
    ).get_data(as_text=True)
    assert "обновлено 1" in page
    flat = db_session.scalar(select(Premise).where(Premise.number == "3"))
    flat.status = PremiseStatus.in_deal  # a deal started meanwhile
    db_session.commit()

    response = client.post(apply_url(page))

    page = response.get_data(as_text=True)
    assert "Данные изменились после проверки" in page
    assert "Нельзя перевести помещение из статуса «Оформление» в «Не в продаже»" in page
    db_session.expire_all()
    assert db_session.scalar(select(Premise.price).where(Premise.number == "3")) == Decimal(
        "9000000.00"
    )


@pytest.mark.parametrize("token", ["0" * 32, "not-a-token"])
def test_unknown_import_token_gets_a_clear_message(client, login_as, building, token):
    login_as(Role.head_of_sales)
    response = client.post(
        f"/projects/{building.project_id}/import/{token}/apply", follow_redirects=True
    )
    assert response.status_code == 200
    assert "Проверенный файл не найден или устарел" in response.get_data(as_text=True)


def test_sales_manager_may_export_but_not_import(client, login_as, building):
    login_as(Role.sales_manager)
    assert client.get(f"/projects/{building.project_id}/export").status_code == 200
    assert client.get(f"/projects/{building.project_id}/import").status_code == 403
    data = xlsx(["Корпус 1", 1, 1, "1", 50, 1, "Свободно"])
    assert upload(client, building.project_id, data, "p.xlsx").status_code == 403
    apply = f"/projects/{building.project_id}/import/{'0' * 32}/apply"
    assert client.post(apply).status_code == 403


def test_a_50_mb_upload_is_refused_with_413_and_writes_nothing(
    client, login_as, db_session, building, imports_folder
):
    login_as(Role.head_of_sales)
    before = counts(db_session)
    stored = set(imports_folder.glob("*")) if imports_folder.exists() else set()

    response = upload(client, building.project_id, b"0" * (50 * 1024 * 1024), "big.csv")

    assert response.status_code == 413
    assert "Можно загрузить файл не больше 20 МБ." in response.get_data(as_text=True)
    assert counts(db_session) == before
    assert (set(imports_folder.glob("*")) if imports_folder.exists() else set()) == stored


def test_a_text_file_renamed_xlsx_gets_a_clear_error(client, login_as, db_session, building):
    login_as(Role.head_of_sales)
    before = counts(db_session)
    response = upload(client, building.project_id, "Корпус;Номер\n1;2\n".encode(), "price.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Файл назван .xlsx, но это не книга Excel." in page
    assert counts(db_session) == before


def test_project_export_is_an_xlsx_honouring_the_filters(
    client, login_as, building, make_building, make_premise
):
    other = make_building(project=building.project, name="Корпус 2", sections=1)
    make_premise(other, number="1", floor=5, price="4000000.00")
    login_as(Role.sales_manager)

    response = client.get(
        f"/projects/{building.project_id}/export?format=xlsx&status=available&price_min=4500000&kind="
    )

    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert re.search(r'filename="prais-testovyi-park-\d{4}-\d{2}-\d{2}\.xlsx"', disposition)
    assert "Прайс-Тестовый парк-" in unquote(disposition.split("filename*=UTF-8''")[1])
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Корпус", "Секция", "Этаж", "Номер")
    assert [(r[0], r[3], r[-1]) for r in rows[1:]] == [
        ("Корпус 1", "1", "Свободно"),
        ("Корпус 1", "3", "Свободно"),
    ]


def test_project_export_of_one_building_as_csv(
    client, login_as, building, make_building, make_premise
):
    other = make_building(project=building.project, name="Корпус 2", sections=1)
    make_premise(other, number="77", floor=5, price="4000000.00")
    login_as(Role.analyst)

    response = client.get(
        f"/projects/{building.project_id}/export?format=csv&building_id={other.id}"
    )

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and rows[1][:4] == ["Корпус 2", "1", "5", "77"]
    assert "4000000,00" in rows[1]


def test_building_export_with_area_and_rooms_filters(client, login_as, building):
    login_as(Role.marketer)
    response = client.get(f"/buildings/{building.id}/export?format=csv&area_min=60&rooms=2")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [r[3] for r in rows[1:]] == ["3"]


@pytest.mark.parametrize(
    ("query", "words"),
    [("format=pdf", "Формат выгрузки: xlsx или csv"), ("price_min=дорого", "Фильтр задан неверно")],
)
def test_export_with_a_bad_query_answers_400_in_russian(client, login_as, building, query, words):
    login_as(Role.head_of_sales)
    response = client.get(f"/buildings/{building.id}/export?{query}")
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_exported_file_uploaded_back_changes_nothing(client, login_as, db_session, building):
    login_as(Role.head_of_sales)
    before = counts(db_session)
    exported = client.get(f"/projects/{building.project_id}/export?format=xlsx").data

    page = upload(client, building.project_id, exported, "export.xlsx").get_data(as_text=True)
    assert "будет создано 0, обновлено 0, без изменений 3" in page
    client.post(apply_url(page))

    assert counts(db_session) == before
