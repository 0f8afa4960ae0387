"""A price list whose texts start like formulas (a building «=СУММ», numbers «-1», «+7», «@1»):
exported, it holds no formula; uploaded back, it changes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from models.users.user import Role
from tests.web.test_import_export_views import apply_url, counts, upload

NUMBERS = ["-1", "+7", "@1", "=A1"]


@pytest.fixture
def building(make_building, make_premise):
    building = make_building(name="=СУММ(A1:A9)", floors_above=9, sections=1)
    for floor, number in enumerate(NUMBERS, start=1):
        make_premise(building, number=number, floor=floor)
    return building


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_texts_that_start_like_formulas_go_out_as_text_and_come_back_unchanged(
    client, login_as, db_session, building, kind
):
    login_as(Role.head_of_sales)
    before = counts(db_session)
    exported = client.get(f"/projects/{building.project_id}/export?format={kind}").data
    if kind == "xlsx":
        with zipfile.ZipFile(io.BytesIO(exported)) as archive:
            assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    else:
        lines = exported.decode("utf-8-sig").splitlines()[1:]
        assert [line.split(";")[3] for line in lines] == ["'-1", "'+7", "'@1", "'=A1"]

    page = upload(client, building.project_id, exported, f"export.{kind}").get_data(as_text=True)

    assert "будет создано 0, обновлено 0, без изменений 4" in page
    client.post(apply_url(page))  # which also takes the checked file off the server
    assert counts(db_session) == before
