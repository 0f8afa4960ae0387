"""Forms of the construction objects."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from models.catalog.kinds import FINISHING_LABELS, KIND_LABELS, MANUAL_STATUSES, STAGE_LABELS
from models.catalog.objects import STATUS_LABELS, Building
from models.db.bounds import AREA_LIMIT
from web.fields import (
    MultilineTextField,
    RuDateField,
    RuDecimalField,
    RuIntegerField,
)
from web.forms import Form

# Russian zones by their tz ids, named as people here name them; Moscow first (the default).
TIME_ZONES = {
    "Europe/Moscow": "Москва (МСК, UTC+3)",
    "Europe/Kaliningrad": "Калининград (МСК−1, UTC+2)",
    "Europe/Samara": "Самара (МСК+1, UTC+4)",
    "Asia/Yekaterinburg": "Екатеринбург (МСК+2, UTC+5)",
    "Asia/Omsk": "Омск (МСК+3, UTC+6)",
    "Asia/Novosibirsk": "Новосибирск (МСК+4, UTC+7)",
    "Asia/Krasnoyarsk": "Красноярск (МСК+4, UTC+7)",
    "Asia/Irkutsk": "Иркутск (МСК+5, UTC+8)",
    "Asia/Yakutsk": "Якутск (МСК+6, UTC+9)",
    "Asia/Vladivostok": "Владивосток (МСК+7, UTC+10)",
    "Asia/Magadan": "Магадан (МСК+8, UTC+11)",
    "Asia/Kamchatka": "Петропавловск-Камчатский (МСК+9, UTC+12)",
}

REQUIRED = "Обязательное поле"


class ProjectForm(Form):
    name = StringField("Название ЖК", validators=[DataRequired(REQUIRED), Length(max=200)])
    city = StringField("Город", validators=[Optional(), Length(max=100)])
    developer_name = StringField("Застройщик", validators=[Optional(), Length(max=200)])
    description = MultilineTextField("Описание", validators=[Optional(), Length(max=5000)])


def _commissioning_date(form, field) -> None:
    if field.data is not None and not Building.can_be_commissioned_on(field.data):
        raise ValidationError(
            f"Дата ввода — с {Building.COMMISSIONING_FROM:%d.%m.%Y} "
            f"по {Building.COMMISSIONING_TO:%d.%m.%Y}"
        )


class BuildingForm(Form):
    name = StringField("Корпус", validators=[DataRequired(REQUIRED), Length(max=100)])
    address = StringField("Адрес", validators=[DataRequired(REQUIRED), Length(max=300)])
    stage = SelectField("Стадия строительства", choices=list(STAGE_LABELS.items()))
    commissioning_date = RuDateField(
        "Плановый ввод в эксплуатацию",
        validators=[Optional(), _commissioning_date],
    )
    escrow_bank = StringField("Банк эскроу", validators=[Optional(), Length(max=200)])
    time_zone = SelectField(
        "Часовой пояс", choices=list(TIME_ZONES.items()), default="Europe/Moscow"
    )
    floors_above = RuIntegerField(
        "Этажей над землёй",
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, 150, "От 1 до 150 этажей"),
        ],
    )
    floors_below = RuIntegerField(
        "Подземных этажей",
        default=0,
        validators=[Optional(), NumberRange(0, 10, "От 0 до 10 этажей")],
    )
    sections_count = RuIntegerField(
        "Секций",
        default=1,
        validators=[Optional(), NumberRange(1, 50, "От 1 до 50 секций")],
    )


class PremiseForm(Form):
    number = StringField("Номер", validators=[DataRequired(REQUIRED), Length(max=20)])
    kind = SelectField("Тип", choices=list(KIND_LABELS.items()))
    section = RuIntegerField(
        "Секция", validators=[InputRequired(REQUIRED), NumberRange(1, 50, "От 1 до 50")]
    )
    floor = RuIntegerField("Этаж", validators=[InputRequired(REQUIRED)])
    rooms = RuIntegerField(
        "Комнат", default=0, validators=[Optional(), NumberRange(0, 20, "От 0 до 20")]
    )
    total_area = RuDecimalField(
        "Общая площадь, м²",
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0.01, max=100000, message="Площадь должна быть больше нуля"),
        ],
        below=AREA_LIMIT,
    )
    living_area = RuDecimalField(
        "Жилая площадь, м²",
        validators=[Optional(), NumberRange(min=0, message="Площадь не может быть отрицательной")],
        below=AREA_LIMIT,
    )
    kitchen_area = RuDecimalField(
        "Площадь кухни, м²",
        validators=[Optional(), NumberRange(min=0, message="Площадь не может быть отрицательной")],
        below=AREA_LIMIT,
    )
    price = RuDecimalField(
        "Цена, ₽",
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=10**11, message="Цена не может быть отрицательной"),
        ],
    )
    finishing = SelectField("Отделка", choices=list(FINISHING_LABELS.items()))
    status = SelectField(
        "Статус", choices=[(s.value, STATUS_LABELS[s]) for s in sorted(MANUAL_STATUSES)]
    )
    is_studio = BooleanField("Студия")
    is_euro_layout = BooleanField("Европланировка")
    has_terrace = BooleanField("Терраса")
    layout_image = FileField(
        "Планировка (PNG или JPG)",
        validators=[FileAllowed(["png", "jpg", "jpeg"], "Только PNG или JPG")],
    )
