"""The event catalog: one declaration per business event holds all there is to know about it.

An area declares its events in engine/<area>/events.py (the engine's own task events are in
engine/core/events.py) with `event(...)`: the line the event leaves on the client's timeline,
what its texts may say (placeholders), and its default Russian texts, one per audience and
channel. Which texts are given decides who hears of the event and how. Declaring registers the
event under its name; a second event with the same name is refused. Callers pass the declared
object to `emit`; an admin's override of a text is stored under (name, audience, channel).

A placeholder is a plain name from the event's context (`{premise_number}`); its description and
a sample value are shown to the admin who edits a text, and the sample fills the preview.
A `marketing` event goes to a client only with marketing consent; every other client message is
a service message and needs the consent to personal-data processing.

No event carries a person's documents (passport, birth date, address, ИНН, СНИЛС: the fields of
models/clients/personal_data.py): an admin may put any declared placeholder in any text of the
event, a staff email reaches roles that must not see them, and the timeline is read by analysts.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from models.clients.personal_data import PERSONAL_FIELDS
from models.notifications.outbox import Audience

EMAIL, SMS, IN_APP = "email", "sms", "in_app"
CLIENT, STAFF = Audience.client.value, Audience.staff.value

CHANNEL_LABELS = {EMAIL: "Эл. почта", SMS: "SMS", IN_APP: "В системе"}
AUDIENCE_LABELS = {CLIENT: "Клиенту", STAFF: "Сотруднику"}

SIGNATURE = "\n\nС уважением,\nотдел продаж"


@dataclass(frozen=True)
class Placeholder:
    description: str
    sample: str


def placeholder(description: str, sample: str) -> Placeholder:
    return Placeholder(description, sample)


CLIENT_NAME = placeholder("Клиент: ФИО или название организации", "Иванов Иван Иванович")


@dataclass(frozen=True)
class Event:
    """A business event. Texts: an email is (subject, body), an SMS or in-app text is a body;
    an event without a text for an audience and channel sends nothing there."""

    name: str
    label: str
    placeholders: Mapping[str, Placeholder]
    timeline: str | None = None  # the line on the client's timeline; {name} from the context
    client_email: tuple[str, str] | None = None
    client_sms: str | None = None
    staff_in_app: str | None = None
    staff_email: tuple[str, str] | None = None
    marketing: bool = False
    notes: str = ""
    # Derived from the texts, once: (audience, channel) → (subject, body) in sending order, the
    # pairs that have a text, and the channels of each audience.
    texts: dict[tuple[str, str], tuple[str, str]] = field(init=False, repr=False, compare=False)
    channels: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    client_channels: tuple[str, ...] = field(init=False, repr=False, compare=False)
    staff_channels: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        texts = {
            (CLIENT, EMAIL): self.client_email,
            (CLIENT, SMS): None if self.client_sms is None else ("", self.client_sms),
            (STAFF, IN_APP): None if self.staff_in_app is None else ("", self.staff_in_app),
            (STAFF, EMAIL): self.staff_email,
        }
        texts = {key: text for key, text in texts.items() if text is not None}
        derived = {
            "texts": texts,
            "channels": tuple(texts),
            "client_channels": tuple(c for a, c in texts if a == CLIENT),
            "staff_channels": tuple(c for a, c in texts if a == STAFF),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        personal = sorted(set(self.placeholders) & PERSONAL_FIELDS)
        if personal:
            raise ValueError(f"event {self.name}: a person's documents as placeholders {personal}")
        lines = [self.timeline or "", *(part for pair in texts.values() for part in pair)]
        unknown = {name for line in lines for name in _names(line)} - set(self.placeholders)
        if unknown:
            raise ValueError(f"event {self.name}: undeclared placeholders {sorted(unknown)}")

    def sample_context(self) -> dict[str, str]:
        return {name: p.sample for name, p in self.placeholders.items()}


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# Every declared event by name, in the order of declaration.
EVENTS: dict[str, Event] = {}


def event(name: str, label: str, placeholders: Mapping[str, Placeholder], **details) -> Event:
    """Declare and register an event; `details` are the other fields of `Event`."""
    declared = Event(name, label, placeholders, **details)
    if name in EVENTS:
        raise ValueError(f"event {name} declared twice")
    EVENTS[name] = declared
    return declared


def sample_context(name: str) -> dict[str, str]:
    return EVENTS[name].sample_context()
