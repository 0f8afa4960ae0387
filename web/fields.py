"""Form fields that accept numbers the way Russian users type them: `12 345,50`."""

from __future__ import annotations

from wtforms import DecimalField, IntegerField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from models.db.numbers import parse_decimal


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

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError("Введите число, например 12 345,50") from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(self.data).replace(".", ",")


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
