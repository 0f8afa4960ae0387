"""The chessboard page, the premise filter behind it, and the Russian number formats it shows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import html
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from models.catalog.objects import Premise, PremiseKind, PremiseStatus
from models.users.user import Role
from web import formatting
from web.catalog.filters import PremiseFilter
from web.extensions import db

NBSP = "\u00a0"

# number, section, floor, status, kind, rooms, studio, area, price
PREMISES = [
    ("1", 1, 1, "available", "apartment", 1, False, "38.50", "9000000"),
    ("2", 1, 1, "sold", "apartment", 2, False, "55.50", "12000000"),
    ("3", 2, 1, "available", "apartment", 1, True, "25.00", "6500000"),
    ("К-1", 2, 1, "not_for_sale", "commercial", 0, False, "120.00", "30000000"),
    ("4", 1, 4, "in_deal", "apartment", 4, False, "110.00", "28000000"),
    ("5", 1, 4, "paid_reservation", "apartment", 1, False, "40.00", "9500000"),
    ("11", 2, 7, "reserved", "apartment", 2, False, "60.00", "14000000"),
    ("12", 2, 7, "available", "apartment", 2, False, "58.00", "13000000"),
    ("10", 1, 10, "available", "apartment", 3, False, "85.25", "25000000"),
    ("9", 1, 10, "sold", "apartment", 3, False, "84.00", "24000000"),
    ("М-1", 1, -1, "available", "parking", 0, False, "13.25", "1500000"),
]


@pytest.fixture
def board(make_building, make_premise):
    building = make_building(floors_above=10, floors_below=1, sections=2)
    premises = {}
    for number, section, floor, status, kind, rooms, studio, area, price in PREMISES:
        premises[number] = make_premise(
            building,
            number=number,
            section=section,
            floor=floor,
            status=PremiseStatus(status),
            kind=PremiseKind(kind),
            rooms=rooms,
            is_studio=studio,
            total_area=area,
            price=price,
        )
    return building, premises


@pytest.fixture
def manager(login_as):
    return login_as(Role.sales_manager)


def open_board(client, building, query: str = ""):
    response = client.get(f"/buildings/{building.id}/chessboard{query}")
    assert response.status_code == 200
    return html.fromstring(response.data)


def cells(page) -> dict[str, html.HtmlElement]:
    """Cell of each premise by its number (the text before the dot)."""
    found = {}
    for cell in page.xpath('//table[@data-testid="chessboard"]//a[contains(@class, "cell")]'):
        number = cell.xpath('div[@class="n"]')[0].text_content().split("·")[0].strip()
        assert number not in found, f"premise {number} has two cells"
        found[number] = cell
    return found


def classes(element) -> set[str]:
    return set(element.get("class").split())


def counter(page) -> str:
    return page.xpath('//*[@data-testid="match-count"]')[0].text_content().strip()


# ---------------------------------------------------------------- the grid


def test_sections_are_the_columns(client, manager, board):
    building, _ = board

    page = open_board(client, building)

    headers = [th.text_content().strip() for th in page.xpath("//table//thead//th")]
    assert headers == ["Этаж", "Секция 1", "Секция 2"]


def test_floors_are_rows_with_the_top_floor_first(client, manager, board):
    building, _ = board

    page = open_board(client, building)

    floors = [th.text_content().strip() for th in page.xpath("//table//tbody/tr/th")]
    assert floors == ["10", "9", "8", "7", "6", "5", "4", "3", "2", "1", "-1"]


def test_every_premise_has_one_cell_in_its_section_and_floor_linking_to_its_card(
    client, manager, board
):
    building, premises = board

    page = open_board(client, building)

    found = cells(page)
    assert set(found) == set(premises)
    for number, section, floor, status, *_ in PREMISES:
        cell = found[number]
        row = cell.xpath("ancestor::tr[1]")[0]
        column = len(cell.xpath("ancestor::td[1]/preceding-sibling::td")) + 1
        assert row.xpath("th")[0].text_content().strip() == str(floor), number
        assert column == section, number
        assert cell.get("href") == f"/premises/{premises[number].id}"
        assert f"st-{status}" in classes(cell)
        assert cell.get("data-status") == status


def test_cells_of_one_floor_follow_the_premise_numbers_naturally(client, manager, board):
    building, _ = board

    page = open_board(client, building)

    top_row = page.xpath("//table//tbody/tr")[0]
    numbers = [
        a.xpath('div[@class="n"]')[0].text_content().split("·")[0].strip()
        for a in top_row.xpath(".//a")
    ]
    assert numbers == ["9", "10"]


def test_cell_shows_rooms_area_and_short_price(client, manager, board):
    building, _ = board

    found = cells(open_board(client, building))

    assert found["3"].text_content().split() == ["3", "·", "Ст", "25,0", "м²", "6,50", "млн"]
    assert found["М-1"].xpath('div[@class="n"]')[0].text_content().strip() == "М-1 · М/м"
    assert found["12"].xpath('div[@class="p"]')[0].text_content() == f"13,00{NBSP}млн"


def test_cell_tooltip_tells_kind_status_area_price_and_price_per_m2(client, manager, board):
    building, _ = board

    found = cells(open_board(client, building))

    assert found["12"].get("title") == (
        f"№ 12, Квартира, Свободно, 58,00{NBSP}м², 13{NBSP}000{NBSP}000,00{NBSP}₽, "
        f"224{NBSP}137,93{NBSP}₽/м²"
    )


def test_premise_number_is_escaped_in_its_cell(client, manager, board, make_premise):
    building, _ = board
    make_premise(building, number='7"<b>', floor=3)

    response = client.get(f"/buildings/{building.id}/chessboard")

    assert b'7"<b>' not in response.data
    assert '№ 7"<b>, Квартира' in cells(html.fromstring(response.data))['7"<b>'].get("title")


def test_unknown_building_is_not_found(client, manager):
    assert client.get("/buildings/999999/chessboard").status_code == 404


def test_chessboard_needs_a_login(client, board):
    building, _ = board

    response = client.get(f"/buildings/{building.id}/chessboard")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# ---------------------------------------------------------------- filters on the page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=available&rooms=2", {"12"}),
        ("?status=available&status=reserved&rooms=2", {"11", "12"}),
        ("?rooms=0", {"3"}),
        ("?rooms=1", {"1", "5"}),
        ("?rooms=4", {"4"}),
        ("?kind=parking", {"М-1"}),
        ("?kind=commercial&status=not_for_sale", {"К-1"}),
        ("?price_min=9+000+000&price_max=12+000+000,00", {"1", "2", "5"}),
        ("?price_min=12+345+678,5", {"К-1", "4", "11", "12", "10", "9"}),
        ("?area_min=55,5&area_max=85,25", {"2", "11", "12", "10", "9"}),
        ("?area_max=25", {"3", "М-1"}),
    ],
)
def test_filter_dims_the_cells_that_do_not_match_and_counts_the_rest(
    client, manager, board, query, expected
):
    building, premises = board

    page = open_board(client, building, query)

    found = cells(page)
    bright = {number for number, cell in found.items() if "dim" not in classes(cell)}
    assert bright == expected
    assert counter(page) == f"Подходит {len(expected)} из {len(premises)}"


def test_filter_is_kept_in_the_form_after_showing(client, manager, board):
    building, _ = board

    page = open_board(client, building, "?status=available&rooms=0&price_max=12+345,5")

    checked = page.xpath('//input[@type="checkbox"][@checked]/@value')
    assert sorted(checked) == ["0", "available"]
    assert page.xpath('//input[@name="price_max"]/@value') == ["12 345,5"]


def test_without_a_filter_nothing_is_dimmed(client, manager, board):
    building, premises = board

    page = open_board(client, building)

    assert not [n for n, cell in cells(page).items() if "dim" in classes(cell)]
    assert counter(page) == f"Подходит {len(premises)} из {len(premises)}"


def test_text_in_the_price_filter_is_reported_next_to_it_and_ignored(client, manager, board):
    building, premises = board

    page = open_board(client, building, "?price_min=abc&rooms=2")

    field = page.xpath('//input[@name="price_min"]')[0]
    assert "is-invalid" in classes(field)
    message = field.getparent().xpath('.//*[contains(@class, "invalid-feedback")]')
    assert [m.text_content().strip() for m in message] == ["Введите число"]
    assert counter(page) == f"Подходит 3 из {len(premises)}"  # the rooms filter still works


def test_the_all_choice_of_the_type_select_is_not_an_error(client, manager, board):
    building, _ = board

    page = open_board(client, building, "?status=available&kind=&price_min=")

    assert not page.xpath('//*[contains(@class, "is-invalid")]')
    assert "Неизвестное" not in page.xpath('//*[@data-testid="chess-filters"]')[0].text_content()
    assert counter(page) == "Подходит 5 из 11"


def test_negative_area_filter_is_reported(client, manager, board):
    building, _ = board

    page = open_board(client, building, "?area_min=-5")

    feedback = page.xpath('//input[@name="area_min"]/following-sibling::div')[0]
    assert feedback.text_content().strip() == "Не может быть отрицательным"


def test_unknown_status_in_the_filter_is_reported_not_a_server_error(client, manager, board):
    building, premises = board

    page = open_board(client, building, "?status=stolen&rooms=seven")

    text = page.xpath('//*[@data-testid="chess-filters"]')[0].text_content()
    assert "Неизвестное значение фильтра" in text
    assert "Неизвестное число комнат" in text
    assert counter(page) == f"Подходит {len(premises)} из {len(premises)}"


# ---------------------------------------------------------------- colour by price per m²


def test_colour_by_price_per_m2_gives_every_cell_a_band_and_a_legend(client, manager, board):
    building, premises = board

    page = open_board(client, building, "?colour=ppm")

    table = page.xpath('//table[@data-testid="chessboard"]')[0]
    assert "by-ppm" in classes(table)
    bands = {}
    for number, cell in cells(page).items():
        band = [c for c in classes(cell) if c.startswith("ppm-")]
        assert len(band) == 1, number
        bands[number] = int(band[0].removeprefix("ppm-"))
    assert set(bands.values()) <= {0, 1, 2, 3, 4}
    ppm = {n: p.price / p.total_area for n, p in premises.items() if n != "М-1"}
    assert bands[min(ppm, key=ppm.get)] == 0
    assert bands[max(ppm, key=ppm.get)] == 4
    legend = page.xpath('//*[@data-testid="legend"]')[0]
    entries = [" ".join(s.text_content().split()) for s in legend.xpath("span[@class='me-3']")]
    assert len(entries) == 5
    assert all(entry.endswith("₽/м²") for entry in entries)
    assert entries[0].startswith("до ")
    assert entries[-1].startswith("от ")
    assert page.xpath('//select[@name="colour"]/option[@selected]/@value') == ["ppm"]


def test_colour_by_status_shows_the_status_legend(client, manager, board):
    building, _ = board

    page = open_board(client, building)

    legend = page.xpath('//*[@data-testid="legend"]')[0].text_content()
    for label in ("Свободно", "Бронь", "Платная бронь", "Оформление", "Продано", "Не в продаже"):
        assert label in legend
    assert "by-ppm" not in classes(page.xpath('//table[@data-testid="chessboard"]')[0])


# ---------------------------------------------------------------- PremiseFilter: Python = SQL

STATUSES = list(PremiseStatus)
KINDS = list(PremiseKind)


@pytest.fixture
def thirty_premises(make_building, make_premise):
    """30 premises whose prices and areas land exactly on the bounds used below."""
    building = make_building(floors_above=10, sections=2)
    for i in range(30):
        kind = KINDS[i % len(KINDS)]
        living = kind in (PremiseKind.apartment, PremiseKind.apartments)
        studio = living and i % 7 == 0
        make_premise(
            building,
            number=str(i + 1),
            section=1 + i % 2,
            floor=1 + i % 10,
            status=STATUSES[i % len(STATUSES)],
            kind=kind,
            rooms=(1 if studio else i % 6) if living else 0,
            is_studio=studio,
            total_area=Decimal("25.75") + Decimal(i) * Decimal("1.75"),
            price=Decimal(3_000_000 + i * 500_000) + (Decimal("0.50") if i % 3 == 0 else 0),
        )
    return building


FILTERS = [
    {"status": ["available"]},
    {"status": ["available", "reserved"], "rooms": ["2"]},
    {"rooms": ["0"]},
    {"rooms": ["1", "4"]},
    {"rooms": ["3"], "kind": ["apartment"]},
    {"kind": ["parking", "storage"]},
    {"kind": ["apartments"], "rooms": ["0", "1", "2", "3", "4"]},
    {"price_min": ["5 000 000"]},
    {"price_max": ["10 000 000,00"]},
    {"price_min": ["7 500 000,50"], "price_max": ["15 000 000"]},
    {"area_min": ["39,75"], "area_max": ["60,75"]},
    {"area_max": ["25,75"]},
    {"status": ["available", "not_for_sale"], "price_max": ["12 000 000"], "area_min": ["30"]},
]


@pytest.mark.parametrize("args", FILTERS, ids=lambda a: "&".join(f"{k}={v}" for k, v in a.items()))
def test_filter_selects_the_same_premises_in_python_and_in_sql(thirty_premises, args):
    premise_filter = PremiseFilter.from_args(MultiDict(list(_pairs(args))))
    assert premise_filter.errors == {}
    premises = db.session.scalars(select(Premise)).all()

    in_python = {
        p.id
        for p in premises
        if premise_filter.matches(p.status, p.kind, p.rooms, p.is_studio, p.price, p.total_area)
    }
    in_sql = set(db.session.scalars(select(Premise.id).where(*premise_filter.where())))

    assert in_python == in_sql
    assert 0 < len(in_sql) < len(premises), "each filter here should keep some, not all"


def test_filter_bounds_are_inclusive(thirty_premises):
    premise_filter = PremiseFilter.from_args(
        MultiDict({"price_min": "5 000 000", "price_max": "5 000 000,00"})
    )

    selected = db.session.scalars(select(Premise.number).where(*premise_filter.where())).all()

    assert selected == ["5"]
    assert premise_filter.matches(
        PremiseStatus.available, PremiseKind.apartment, 2, False, Decimal("5000000"), 1
    )


def _pairs(args: dict):
    for name, values in args.items():
        for value in values:
            yield name, value


# ---------------------------------------------------------------- PremiseFilter: parsing


def test_filter_reads_russian_numbers():
    premise_filter = PremiseFilter.from_args(
        MultiDict({"price_min": "12 345 678,50", "area_max": f"12{NBSP}345,5 м²"})
    )

    assert premise_filter.price_min == Decimal("12345678.50")
    assert premise_filter.area_max == Decimal("12345.5")
    assert premise_filter.errors == {}
    assert premise_filter.active


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("price_min", "abc", "Введите число"),
        ("price_max", "1,2,3", "Введите число"),
        ("area_min", "-1", "Не может быть отрицательным"),
        ("area_max", "Infinity", "Введите число"),
        ("status", "stolen", "Неизвестное значение фильтра"),
        ("kind", "castle", "Неизвестное значение фильтра"),
        ("rooms", "7", "Неизвестное число комнат"),
    ],
)
def test_bad_filter_value_becomes_a_message_not_an_exception(name, value, message):
    premise_filter = PremiseFilter.from_args(MultiDict({name: value}))

    assert premise_filter.errors == {name: message}
    assert not premise_filter.active


def test_studio_bucket_takes_studios_only_and_four_takes_four_and_more():
    premise_filter = PremiseFilter.from_args(MultiDict([("rooms", "0"), ("rooms", "4")]))
    kind, status = PremiseKind.apartment, PremiseStatus.available

    def match(rooms, studio):
        return premise_filter.matches(status, kind, rooms, studio, Decimal(1), Decimal(1))

    assert [match(1, True), match(6, False), match(4, False)] == [True, True, True]
    assert [match(1, False), match(3, False), match(0, False)] == [False, False, False]


# ---------------------------------------------------------------- formats (web/formatting.py)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12345678"), f"12{NBSP}345{NBSP}678,00{NBSP}₽"),
        (Decimal("0.5"), f"0,50{NBSP}₽"),
        (Decimal("999.99"), f"999,99{NBSP}₽"),
        (Decimal("1000"), f"1{NBSP}000,00{NBSP}₽"),
        (Decimal("-1234.5"), f"-1{NBSP}234,50{NBSP}₽"),
        (None, "—"),
    ],
)
def test_money_is_shown_with_kopecks_and_non_breaking_spaces(value, shown):
    assert formatting.money(value) == shown


def test_money_short_for_cells():
    assert formatting.money_short(Decimal("12345678")) == f"12,35{NBSP}млн"
    assert formatting.money_short(Decimal("1000000")) == f"1,00{NBSP}млн"
    assert formatting.money_short(Decimal("950000")) == f"950{NBSP}тыс"
    assert formatting.money_short(None) == "—"


def test_area_is_shown_in_square_metres():
    assert formatting.area(Decimal("55.5")) == f"55,50{NBSP}м²"
    assert formatting.area(Decimal("1234.25")) == f"1{NBSP}234,25{NBSP}м²"
    assert formatting.area(None) == "—"


def test_dates_are_day_month_year():
    assert formatting.ru_date(date(2027, 3, 1)) == "01.03.2027"
    assert formatting.ru_date(None) == "—"


def test_times_are_shown_in_the_projects_time_zone():
    moment = datetime(2026, 12, 31, 21, 30, tzinfo=UTC)

    assert formatting.ru_datetime(moment) == "01.01.2027 00:30"
    assert formatting.ru_datetime(moment, "Asia/Vladivostok") == "01.01.2027 07:30"
    assert formatting.ru_datetime(None) == "—"


def test_stored_money_text_is_shown_as_money():
    assert formatting.decimal_money("12345678.00") == f"12{NBSP}345{NBSP}678,00{NBSP}₽"
    assert formatting.decimal_money("None") == "—"
    assert formatting.decimal_money(None) == "—"


def test_status_value_is_shown_in_russian():
    assert formatting.status_label("available") == "Свободно"
    assert formatting.status_label("paid_reservation") == "Платная бронь"
    assert formatting.status_label("unknown") == "unknown"
    assert formatting.status_label(None) == "—"
