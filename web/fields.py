"""Form fields that accept numbers the way Russian users type them (`12 345,50`), and give back
what they were shown: a form saved unchanged changes nothing."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DateField, DecimalField, IntegerField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from models.db.bounds import DATE_MESSAGE, MONEY_LIMIT, date_in_range, fits_integer
from models.db.numbers import parse_decimal
from web.formatting import NBSP


class _StopWhenUnreadable:
    """Text that is not a number gets one message, not a range message on top of it."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class RuDecimalField(_StopWhenUnreadable, DecimalField):
    # A text input: a browser's type=number input shows "12 345,50" as empty and posts "", so
    # a stored value would come back blank and the form would refuse to save unchanged.
    widget = TextInput()

    def __call__(self, **kwargs):
        kwargs.setdefault("inputmode", "decimal")
        return super().__call__(**kwargs)

    def __init__(self, label=None, validators=None, below=MONEY_LIMIT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.below = Decimal(below)  # the column's own limit: Numeric(14, 2) for money

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError("Введите число, например 12 345,50") from None
        if self.data is not None and abs(self.data) >= self.below:
            self.data = None
            raise ValueError("Слишком большое число")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        # The Russian way, as everywhere else: 12 269 000,55 (read back by parse_decimal).
        return f"{self.data:,}".replace(",", NBSP).replace(".", ",")


class RuDateField(_StopWhenUnreadable, DateField):
    """A date typed дд.мм.гггг in a text input (a browser's date input shows its own locale and
    posts ISO); ISO is read too, so a value posted by a script still works."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%d.%m.%Y", "%Y-%m-%d"])
        kwargs.setdefault("render_kw", {"placeholder": "дд.мм.гггг", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValueError("Введите дату: дд.мм.гггг") from None

    def post_validate(self, form, validation_stopped):
        """After the field's own rules, whose messages say more: the dates no rule named."""
        if validation_stopped or self.errors or self.data is None:
            return
        if not date_in_range(self.data):
            self.errors.append(DATE_MESSAGE)


class Positive:
    """A sum that must be more than zero (a payment, a fee, a price): an empty field is left to
    `Optional` / `InputRequired`."""

    def __init__(self, message: str = "Сумма должна быть больше нуля"):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and field.data <= 0:
            raise StopValidation(self.message)


class RuIntegerField(_StopWhenUnreadable, IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError("Введите целое число") from None
        if not fits_integer(self.data):
            self.data = None
            raise ValueError("Слишком большое число")


class MultilineTextField(TextAreaField):
    """Text in several lines, stored with `\\n` between them. A browser sends a textarea's lines
    joined by CR LF (HTML's form encoding), so a text stored with LF would otherwise change at
    every save, unchanged or not."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")
