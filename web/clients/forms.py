"""Forms of the client card. Field checks with checksums live in `models.client_card`; a form
only carries the text and puts each message next to its field."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from engine.clients.card import CONSENT_CHANNELS, CONSENT_LABELS
from engine.clients.use_cases import CONSENT_TEXT_VERSION
from models.clients.card import (
    COMPANY_FIELDS,
    CONFIRMABLE,
    CONFIRMABLE_LABELS,
    PERSON_FIELDS,
    SCALAR_FIELDS,
    InvalidCardData,
    clean_card,
)
from models.clients.client import Client, ClientKind
from web.forms import Form

REQUIRED = "Обязательное поле"
KIND_CHOICES = [
    (ClientKind.person.value, "Физическое лицо"),
    (ClientKind.company.value, "Организация"),
]


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def _lines(text: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[\n,;]+", text or "") if part.strip()]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _date(label: str) -> StringField:
    return StringField(
        label, validators=[Optional(), Length(max=10)], render_kw={"placeholder": "дд.мм.гггг"}
    )


class ClientForm(Form):
    kind = RadioField("Клиент", choices=KIND_CHOICES, default=ClientKind.person.value)
    full_name = StringField(
        "ФИО / наименование организации", validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    phones = TextAreaField(
        "Телефоны", validators=[Length(max=1000)], description="по одному в строке, в любом виде"
    )
    emails = TextAreaField(
        "Эл. почта", validators=[Length(max=2000)], description="по одной в строке"
    )
    birth_date = _date("Дата рождения")
    passport_series = StringField("Серия паспорта", validators=[Length(max=10)])
    passport_number = StringField("Номер паспорта", validators=[Length(max=10)])
    passport_issued_by = StringField("Кем выдан", validators=[Length(max=300)])
    passport_issued_on = _date("Дата выдачи")
    registration_address = StringField("Адрес регистрации", validators=[Length(max=500)])
    inn = StringField("ИНН", validators=[Length(max=20)])
    snils = StringField("СНИЛС", validators=[Length(max=20)])
    kpp = StringField("КПП", validators=[Length(max=20)])
    ogrn = StringField("ОГРН", validators=[Length(max=20)])
    representative = StringField("Представитель (ФИО, должность)", validators=[Length(max=300)])
    manager_id = SelectField("Ответственный менеджер", coerce=_optional_int, validate_choice=True)
    lead_channel = StringField("Откуда пришёл: канал", validators=[Length(max=100)])
    lead_campaign = StringField("Рекламная кампания", validators=[Length(max=200)])
    confirmed = CheckboxesField(
        "Подтверждено документом (новые данные из заявок их не перезапишут)",
        choices=list(CONFIRMABLE_LABELS.items()),
    )

    def card_data(self, today: date) -> dict[str, Any] | None:
        """Checked values, or None with every message next to its field."""
        kind = ClientKind(self.kind.data)
        other = COMPANY_FIELDS if kind == ClientKind.person else PERSON_FIELDS
        raw = {name: getattr(self, name).data for name in SCALAR_FIELDS if name not in other}
        raw["phones"], raw["emails"] = _lines(self.phones.data), _lines(self.emails.data)
        if not raw["phones"]:
            self.phones.errors.append("Укажите хотя бы один телефон")
        try:
            data = clean_card(raw, kind=kind, today=today)
        except InvalidCardData as error:
            for name, message in error.errors.items():
                getattr(self, name, self.full_name).errors.append(message)
            return None
        if self.phones.errors:
            return None
        data["lead_channel"] = (self.lead_channel.data or "").strip() or None
        data["lead_campaign"] = (self.lead_campaign.data or "").strip() or None
        return data

    def fill_from(self, client: Client) -> None:
        for name in SCALAR_FIELDS:
            value = getattr(client, name)
            getattr(self, name).data = f"{value:%d.%m.%Y}" if isinstance(value, date) else value
        self.kind.data = client.kind.value
        self.phones.data = "\n".join(p.phone for p in client.phones)
        self.emails.data = "\n".join(e.email for e in client.emails)
        self.manager_id.data = client.manager_id
        self.confirmed.data = [g for g in CONFIRMABLE_LABELS if _confirmed(client, g)]


def _confirmed(client: Client, group: str) -> bool:
    return any(client.is_confirmed(column) for column in CONFIRMABLE[group])


class NewClientForm(ClientForm):
    consent_personal_data = BooleanField(
        "Клиент дал согласие на обработку персональных данных (152-ФЗ)"
    )
    consent_marketing = BooleanField("Клиент согласен получать рекламные сообщения")
    consent_channel = SelectField("Как получено согласие", choices=list(CONSENT_CHANNELS.items()))
    create_anyway = BooleanField("Это другой человек — всё равно создать новую карточку")


class ConsentForm(Form):
    kind = SelectField("Согласие", choices=[(k.value, v) for k, v in CONSENT_LABELS.items()])
    channel = SelectField("Как получено", choices=list(CONSENT_CHANNELS.items()))
    text_version = StringField(
        "Версия текста",
        default=CONSENT_TEXT_VERSION,
        validators=[DataRequired(REQUIRED), Length(max=50)],
    )


class MergeForm(Form):
    other_id = HiddenField(validators=[DataRequired("Выберите вторую карточку")])
    keep = RadioField(
        "Какую карточку оставить",
        choices=[("this", "эту"), ("other", "вторую")],
        default="this",
        validators=[DataRequired(REQUIRED)],
    )
