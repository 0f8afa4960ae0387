"""Forms of the sales desk."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from web.fields import Positive, RuDecimalField
from web.forms import Form

REQUIRED = "Обязательное поле"


class ClientFields(Form):
    phone = StringField("Телефон клиента", validators=[DataRequired(REQUIRED), Length(max=40)])
    full_name = StringField("ФИО (для нового клиента)", validators=[Optional(), Length(max=300)])
    email = EmailField("Эл. почта", validators=[Optional(), Length(max=254)])
    consent = BooleanField("Клиент дал согласие на обработку персональных данных (152-ФЗ)")


class ReserveForm(ClientFields):
    request_approval = BooleanField(
        "Если лимит броней клиента исчерпан — запросить согласование руководителя"
    )


class QueueForm(ClientFields):
    pass


class ExtendForm(Form):
    until = StringField(
        "Продлить до (дд.мм.гггг чч:мм)", validators=[DataRequired(REQUIRED), Length(max=20)]
    )


class PayForm(Form):
    fee = RuDecimalField(
        "Сумма оплаты, ₽",
        validators=[Optional(), Positive("Сумма оплаты должна быть больше нуля")],
    )


class CancelForm(Form):
    reason = TextAreaField("Причина", validators=[Optional(), Length(max=500)])
