"""Forms declared in the BPMN (`camunda:formData`), and their server-side validation.

A user task names its fields in the diagram, the way Camunda Modeler and bpmn-js's Camunda
properties panel write them:

    <camunda:formData>
      <camunda:formField id="new_price" label="Новая цена, ₽" type="money">
        <camunda:validation><camunda:constraint name="required" config="true"/></camunda:validation>
      </camunda:formField>
    </camunda:formData>

Types: text (string), number (long, integer), money, date, choice (enum, with camunda:value
children), boolean, file. A task with the property `approval=true` gets the standard approval
form instead: decision (approve / reject / return) and a comment.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from models.db.bounds import DATE_MESSAGE, UNSTORABLE_TEXT, date_in_range, fits_integer, storable
from models.db.numbers import money_text

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FIELD_TYPES = ("text", "number", "money", "date", "choice", "boolean", "file")
TYPE_ALIASES = {
    "string": "text",
    "text": "text",
    "textarea": "text",
    "long": "number",
    "integer": "number",
    "number": "number",
    "money": "money",
    "decimal": "money",
    "date": "date",
    "enum": "choice",
    "choice": "choice",
    "boolean": "boolean",
    "file": "file",
}
# camelCase ids (`invoiceNumber`) are what Camunda Modeler's forms are full of
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
RESERVED_NAMES = frozenset({"typename", "decision", "decision_comment", "approved", "decided_by"})

APPROVE, REJECT, RETURN = "approve", "reject", "return"
APPROVAL_CHOICES = [
    (APPROVE, "Согласовать"),
    (REJECT, "Отказать"),
    (RETURN, "Вернуть на доработку"),
]


@dataclass
class FormField:
    name: str
    label: str
    type: str
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    default: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = [list(choice) for choice in self.choices]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FormField:
        return cls(**{**data, "choices": [tuple(c) for c in data.get("choices", [])]})


def approval_form() -> list[FormField]:
    return [
        FormField("decision", "Решение", "choice", required=True, choices=APPROVAL_CHOICES),
        FormField("decision_comment", "Комментарий", "text"),
    ]


def parse_form(task_element) -> tuple[list[FormField], list[str]]:
    """Fields of a userTask element, and the problems found in their declaration."""
    fields: list[FormField] = []
    problems: list[str] = []
    for element in task_element.iter(f"{{{CAMUNDA_NS}}}formField"):
        name = element.get("id") or ""
        raw_type = (element.get("type") or "string").lower()
        kind = TYPE_ALIASES.get(raw_type)
        if not FIELD_NAME.match(name) or name in RESERVED_NAMES or keyword.iskeyword(name):
            problems.append(
                f"Поле формы «{name}»: имя — латинские буквы, цифры и _, начинается с буквы, "
                "не служебное слово и не слово языка Python: переименуйте поле"
            )
            continue
        if kind is None:
            problems.append(f"Поле формы «{name}»: неизвестный тип «{raw_type}»")
            continue
        choices = [
            (value.get("id") or "", value.get("name") or value.get("id") or "")
            for value in element.iter(f"{{{CAMUNDA_NS}}}value")
        ]
        if kind == "choice" and not choices:
            problems.append(f"Поле формы «{name}»: у списка нет ни одного значения")
        required = any(
            c.get("name") == "required" and (c.get("config") or "true").lower() != "false"
            for c in element.iter(f"{{{CAMUNDA_NS}}}constraint")
        )
        fields.append(
            FormField(
                name=name,
                label=element.get("label") or name,
                type=kind,
                required=required,
                choices=choices,
                default=element.get("defaultValue"),
            )
        )
    return fields, problems


def validate(
    fields: list[FormField], raw: dict[str, Any], *, approval: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn submitted strings into JSON-able task data; errors are per field, in Russian."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for form_field in fields:
        text = raw.get(form_field.name)
        if form_field.type == "boolean":
            value = str(text).lower() in ("1", "true", "on", "yes", "y", "да")
            if form_field.required and not value:
                errors[form_field.name] = "Отметьте это поле"
            values[form_field.name] = value
            continue
        if form_field.type == "file":
            # The web layer stores the upload and passes {"name": original, "file": stored}.
            if isinstance(text, dict) and {"name", "file"} <= set(text):
                values[form_field.name] = {"name": str(text["name"]), "file": str(text["file"])}
            elif form_field.required:
                errors[form_field.name] = "Приложите файл"
            else:
                values[form_field.name] = None
            continue
        text = "" if text is None else str(text).strip()
        if not text:
            if form_field.required:
                errors[form_field.name] = "Обязательное поле"
            values[form_field.name] = None
            continue
        try:
            values[form_field.name] = _convert(form_field, text)
        except ValueError as error:
            errors[form_field.name] = str(error)
    if approval and not errors:
        _check_approval(values, errors)
    return values, errors


def _convert(form_field: FormField, text: str) -> Any:
    if not storable(text):
        raise ValueError(UNSTORABLE_TEXT)
    if form_field.type == "text":
        if len(text) > 5000:
            raise ValueError("Не больше 5000 символов")
        return text
    if form_field.type == "number":
        try:
            number = int(text.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            raise ValueError("Введите целое число") from None
        if not fits_integer(number):
            raise ValueError("Слишком большое число")
        return number
    if form_field.type == "money":
        cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".").removesuffix("₽")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError("Введите сумму, например 12 345,50") from None
        if not amount.is_finite() or amount <= 0:
            raise ValueError("Сумма должна быть больше нуля")
        if amount >= Decimal("1e12"):
            raise ValueError("Слишком большая сумма")
        return str(amount.quantize(Decimal("0.01")))
    if form_field.type == "date":
        try:
            return _parse_date(text).isoformat()
        except ValueError as error:
            if str(error) == DATE_MESSAGE:
                raise
            raise ValueError("Введите дату в формате дд.мм.гггг") from None
    if form_field.type == "choice":
        allowed = {value for value, _ in form_field.choices}
        if text not in allowed:
            raise ValueError("Выберите значение из списка")
        return text
    raise ValueError("Неизвестный тип поля")


def _parse_date(text: str) -> date:
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text):
        day, month, year = text.split(".")
        parsed = date(int(year), int(month), int(day))
    else:
        parsed = date.fromisoformat(text)
    if not date_in_range(parsed):
        raise ValueError(DATE_MESSAGE)
    return parsed


def _check_approval(values: dict[str, Any], errors: dict[str, str]) -> None:
    decision = values.get("decision")
    if decision in (REJECT, RETURN) and not values.get("decision_comment"):
        errors["decision_comment"] = "Объясните решение: комментарий обязателен"
    values["approved"] = decision == APPROVE


def summary(fields: list[FormField], values: dict[str, Any]) -> str:
    """What was entered, in words, for the history: «Новая цена, ₽: 9 434 000,00; …»."""
    parts = []
    for form_field in fields:
        value = values.get(form_field.name)
        if value is None or value == "":
            continue
        parts.append(f"{form_field.label}: {_shown(form_field, value)}")
    return "; ".join(parts)[:2000]


def _shown(form_field: FormField, value: Any) -> str:
    if form_field.type == "boolean":
        return "да" if value else "нет"
    if form_field.type == "choice":
        return dict(form_field.choices).get(value, str(value))
    if form_field.type == "money":
        amount = Decimal(value)
        return money_text(amount) + "\u00a0₽"
    if form_field.type == "date":
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if form_field.type == "file":
        return value.get("name", "")
    return str(value)
