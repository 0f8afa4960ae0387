"""The base of every form of the app: text that no database stores is refused at its field.

A NUL byte (PostgreSQL refuses it in any text) typed or pasted into any field gets a Russian
message under that field before the field's own checks, and the form is not valid, so nothing
is written. tests/web/test_hostile_input.py checks that every form of the app derives from it.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

from models.db.bounds import UNSTORABLE_TEXT, storable


def refuse_unstorable(form, field) -> None:
    """The first check of every field: its raw text must be storable."""
    raw = field.raw_data or ()
    if any(isinstance(text, str) and not storable(text) for text in raw):
        field.errors[:] = []  # a reading error of the same text says nothing more useful
        raise StopValidation(UNSTORABLE_TEXT)


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            field.validators = [refuse_unstorable, *field.validators]
            return field
