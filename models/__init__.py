"""SQLAlchemy entities and the rules that belong to them. No Flask, no engine."""

from models.api_key import ApiKey, IdempotencyRecord
from models.audit import AuditEvent
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
from models.client import (
    Client,
    ClientChange,
    ClientConflict,
    ClientEmail,
    ClientPhone,
    Consent,
)
from models.crm import CrmTask, Interaction
from models.errors import DomainError
from models.notification import Notification
from models.outbox import NotificationTemplate, OutboundMessage
from models.process import (
    HumanTask,
    ProcessBusinessKey,
    ProcessDraft,
    ProcessEvent,
    ProcessInstance,
    ProcessModel,
)
from models.reservation import QueueEntry, Reservation, ReservationEvent
from models.user import Role, User

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Client",
    "ClientChange",
    "ClientConflict",
    "ClientEmail",
    "CrmTask",
    "Interaction",
    "NotificationTemplate",
    "OutboundMessage",
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
    "ProcessDraft",
    "ProcessEvent",
    "ProcessInstance",
    "ProcessModel",
    "Project",
    "Role",
    "Section",
    "User",
]
