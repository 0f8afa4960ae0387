"""Notification texts: only plain names from the event's list; rendering reaches no object."""

from __future__ import annotations

import pytest

from engine.notifications.catalog import EVENTS, sample_context
from engine.notifications.notify import roubles, with_derived_values
from engine.notifications.templates import all_keys, default_text, problems, render


def test_every_default_text_is_a_valid_template_of_its_event():
    for event, audience, channel in all_keys():
        text = default_text(event, audience, channel)
        assert problems(event, channel, text.subject, text.body) == {}, (event, audience, channel)


def test_every_event_that_reaches_someone_has_its_texts():
    assert {key[0] for key in all_keys()} == set(EVENTS)


def test_a_good_template_fills_in_the_sample_values():
    body = "Бронь № {premise_number} до {expires_at_text}; скобки: {{ и }}"
    assert problems("reservation_made", "sms", "", body) == {}
    assert render(body, sample_context("reservation_made")) == (
        "Бронь № 101 до 15.06.2026 18:00; скобки: { и }"
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Бронь № {premise_numbr}", "Неизвестная подстановка {premise_numbr}"),
        ("Бронь № {premise_number", "Фигурные скобки не парные"),
        ("Бронь № premise_number}", "Фигурные скобки не парные"),
        ("Бронь {}", "Пустая подстановка"),
        ("Бронь {0}", "только имя из списка"),
        ("{client_name.__class__}", "без точек и скобок"),
        ("{client_name[0]}", "без точек и скобок"),
        ("{client_name!r}", "формат указывать нельзя"),
        ("{client_name:>40}", "формат указывать нельзя"),
        ("   ", "не может быть пустым"),
    ],
)
def test_a_bad_template_is_refused_with_a_clear_message(body, words):
    found = problems("reservation_made", "sms", "", body)
    assert words in found["body"]


def test_an_email_needs_a_subject_and_its_placeholders_are_checked_too():
    assert problems("task_due", "email", "", "Текст")["subject"] == "Укажите тему письма"
    found = problems("task_due", "email", "Срок {premise_number}", "Текст")
    assert "Неизвестная подстановка {premise_number}" in found["subject"]
    assert "{title}, {client_name}, {due_at_text}" in found["subject"]


def test_rendering_shows_a_dash_for_missing_values_and_ignores_objects():
    context = {"title": object(), "client_name": None, "due_at_text": True}
    assert render("{title}|{client_name}|{due_at_text}", context) == "—|—|—"


def test_a_fixed_price_is_written_the_russian_way():
    assert roubles("10500000.00") == "10\u00a0500\u00a0000,00\u00a0₽"
    assert with_derived_values({"fixed_price": "990"})["fixed_price_text"] == "990,00\u00a0₽"
