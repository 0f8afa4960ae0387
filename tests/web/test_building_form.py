"""The building form: the project's time zone by default with Russian names, a commissioning
date typed дд.мм.гггг and kept within sense, and the form saved unchanged changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.catalog.objects import Building
from models.users.user import Role
from tests.web.test_catalog_pages import building_data


def form_data(**overrides) -> dict:
    """The catalog pages' building, its commissioning date typed the Russian way."""
    return building_data(**{"commissioning_date": "30.09.2028", **overrides})


def selected_zone(page: str) -> str:
    return re.search(r'<option selected value="([^"]+)">([^<]+)<', page).group(2)


def test_a_new_building_is_in_moscow_time_by_default_and_zones_have_russian_names(
    client, login_as, make_project
):
    login_as(Role.head_of_sales)
    project = make_project()
    page = client.get(f"/projects/{project.id}/buildings/new").get_data(as_text=True)
    assert selected_zone(page) == "Москва (МСК, UTC+3)"
    assert ">Калининград (МСК−1, UTC+2)<" in page
    assert ">Europe/Kaliningrad<" not in page


@pytest.mark.parametrize("typed", ["01.01.1900", "31.12.9999"])
def test_a_commissioning_date_out_of_sense_is_refused_at_the_field(
    client, login_as, db_session, make_project, typed
):
    login_as(Role.head_of_sales)
    project = make_project()
    answer = client.post(
        f"/projects/{project.id}/buildings/new", data=form_data(commissioning_date=typed)
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Дата ввода — с 01.01.2000 по 31.12.2100" in page
    assert f'value="{typed}"' in page
    assert db_session.scalars(select(Building)).all() == []


def test_a_commissioning_date_is_typed_and_shown_the_russian_way(
    client, login_as, db_session, make_project
):
    login_as(Role.head_of_sales)
    project = make_project()
    client.post(f"/projects/{project.id}/buildings/new", data=form_data())
    building = db_session.scalars(select(Building)).one()
    assert str(building.commissioning_date) == "2028-09-30"

    page = client.get(f"/buildings/{building.id}/edit").get_data(as_text=True)
    assert 'value="30.09.2028"' in page
    bad = client.post(
        f"/buildings/{building.id}/edit", data=form_data(commissioning_date="30 сентября")
    )
    assert "Введите дату: дд.мм.гггг" in bad.get_data(as_text=True)
