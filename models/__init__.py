"""SQLAlchemy entities and the rules that belong to them. No Flask, no engine."""

from models.api_key import ApiKey, IdempotencyRecord
from models.base import Base
from models.catalog import (
    Building,
    Floor,
    Premise,
    PremiseChange,
    PremiseKind,
    PremiseStatus,
    Project,
    Section,
)
from models.client import Client, ClientPhone, Consent
from models.errors import DomainError
from models.notification import Notification
from models.process import (
    HumanTask,
    ProcessBusinessKey,
    ProcessEvent,
    ProcessInstance,
    ProcessModel,
)
from models.reservation import QueueEntry, Reservation, ReservationEvent
from models.user import Role, User

__all__ = [
    "ApiKey",
    "Client",
    "ClientPhone",
    "Consent",
    "IdempotencyRecord",
    "QueueEntry",
    "Reservation",
    "ReservationEvent",
    "Base",
    "Building",
    "DomainError",
    "Floor",
    "HumanTask",
    "Notification",
    "Premise",
    "PremiseChange",
    "PremiseKind",
    "PremiseStatus",
    "ProcessBusinessKey",
    "ProcessEvent",
    "ProcessInstance",
    "ProcessModel",
    "Project",
    "Role",
    "Section",
    "User",
]
