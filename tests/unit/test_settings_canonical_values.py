"""What a boolean or text setting stores: the canonical text, and the length a text may have."""

from __future__ import annotations

import pytest

from models.settings.values import (
    InvalidSettingValue,
    SettingDefinition,
    SettingType,
    parse_value,
)


def definition(type_: SettingType) -> SettingDefinition:
    return SettingDefinition("test.key", type_, "", "Тест", "")


@pytest.mark.parametrize(
    ("raw", "stored"), [("да", (True, "true")), ("ВКЛ", (True, "true")), ("нет", (False, "false"))]
)
def test_a_flag_is_stored_as_true_or_false_in_lower_case(raw, stored):
    assert parse_value(definition(SettingType.boolean), raw) == stored


def test_a_text_of_1000_characters_is_kept_as_written():
    text = "я" * 1000
    assert parse_value(definition(SettingType.text), text) == (text, text)


def test_a_text_longer_than_1000_characters_is_refused():
    with pytest.raises(InvalidSettingValue) as refused:
        parse_value(definition(SettingType.text), "я" * 1001)
    assert refused.value.message == "Не длиннее 1000 символов"
