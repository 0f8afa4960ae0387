"""Price lists from the real world through the import page: sheets passed over are listed,
problems name their sheet, the row limit is a setting on the settings page, bombs are refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.catalog.objects import Building, Premise, PremiseChange
from models.settings.store import set_setting
from models.users.user import Role
from tests.unit.test_price_list_real_world import bomb_xlsx, workbook

HEADER = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена"]


def flat(number, building="Корпус 1", floor=1, price=5_000_000) -> list:
    return [building, 1, floor, number, 40, price]


def upload(client, project_id: int, data: bytes, name: str) -> str:
    response = client.post(
        f"/projects/{project_id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def counts(db_session) -> tuple[int, int, int]:
    return tuple(
        db_session.scalar(select(func.count()).select_from(model))
        for model in (Building, Premise, PremiseChange)
    )


@pytest.fixture
def imports_folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]).parent / "imports"


@pytest.fixture
def building(make_building):
    return make_building(name="Корпус 1", floors_above=9, sections=1)


def test_the_dry_run_lists_the_sheets_it_passed_over_and_apply_imports_the_rest(
    client, login_as, db_session, building, imports_folder
):
    login_as(Role.head_of_sales)
    kept = set(imports_folder.glob("*"))
    data = workbook(
        ("Обложка", [["ЖК «Северный»"]]),
        ("Старые цены", [HEADER, flat("1")]),
        ("Корпус 1", [HEADER, flat("1"), flat("2")]),
        hidden=("Старые цены",),
    )

    page = upload(client, building.project_id, data, "прайс.xlsx")

    assert "будет создано 2, обновлено 0, без изменений 0" in page
    notes = page[page.index('data-testid="import-skipped-sheets"') :]
    notes = " ".join(notes[: notes.index("</div>")].split())
    assert "<li>Лист «Обложка» пропущен: в его первых 10 заполненных строках" in notes
    assert "<li>Лист «Старые цены» пропущен: он скрыт; если он нужен, покажите его" in notes

    apply = re.search(r'action="(/projects/\d+/import/[0-9a-f]{32}/apply)"', page)
    assert client.post(apply.group(1)).status_code == 302
    numbers = db_session.scalars(select(Premise.number).order_by(Premise.number)).all()
    assert numbers == ["1", "2"] and set(imports_folder.glob("*")) == kept


def test_problems_of_a_workbook_with_several_sheets_show_the_sheet(
    client, login_as, db_session, building
):
    login_as(Role.admin)
    before = counts(db_session)
    data = workbook(
        ("Корпус 1", [HEADER, flat("1")]),
        ("Корпус 2", [HEADER, flat("1", "Корпус 2", price="дорого")]),
    )

    page = upload(client, building.project_id, data, "прайс.xlsx")

    table = page[page.index('data-testid="import-problems"') :]
    assert "<th" in table and ">Лист</th>" in table
    message = "Ожидается число, например 12 345,50"
    assert re.search(rf"<td>Корпус 2</td><td[^>]*>2</td><td>Цена</td><td>{message}</td>", table)
    assert "/apply" not in page and counts(db_session) == before


def test_the_import_page_states_the_row_limit_from_the_settings(
    client, login_as, db_session, building
):
    login_as(Role.head_of_sales)
    set_setting(db_session, "catalog.import_max_rows", "5000")

    page = client.get(f"/projects/{building.project_id}/import").get_data(as_text=True)

    assert "Не больше 5 000 строк на всех листах вместе" in page
    assert "книга XLSX — не больше 40 МБ" in page
    set_setting(db_session, "catalog.import_max_rows", "50000")

    page = client.get(f"/projects/{building.project_id}/import").get_data(as_text=True)

    assert "Не больше 50 000 строк" in page and "книга XLSX — не больше 98 МБ" in page


def test_the_row_limit_is_on_the_settings_page_and_can_be_changed(client, login_as):
    login_as(Role.head_of_sales)

    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Лимит строк в прайс-листе" in page

    response = client.post(
        "/admin/settings/catalog.import_max_rows",
        data={"catalog_import_max_rows-value": "0"},
    )
    assert response.status_code == 422
    assert "Значение должно быть не меньше 1" in response.get_data(as_text=True)


def test_a_zip_bomb_upload_is_refused_and_not_kept(
    client, login_as, db_session, building, imports_folder
):
    login_as(Role.admin)
    before, kept = counts(db_session), set(imports_folder.glob("*"))
    cells = b"<c><v>1</v></c>" * 70_000
    data = bomb_xlsx(b'<row r="3">' if n == 0 else cells for n in range(201))

    page = upload(client, building.project_id, data, "прайс.xlsx")

    assert "не импортирован: найдено ошибок — 1" in page
    assert "Книга XLSX слишком велика: распакованная, она занимает 200 МБ" in page
    assert "/apply" not in page and counts(db_session) == before
    assert set(imports_folder.glob("*")) == kept
