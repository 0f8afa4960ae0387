"""SQLAlchemy entities and the rules that belong to them. No Flask, no engine."""

from models.catalog.objects import (
    Building,
    Floor,
    Premise,
    PremiseChange,
    PremiseKind,
    PremiseStatus,
    Project,
    Section,
)
from models.clients.client import (
    Client,
    ClientChange,
    ClientConflict,
    ClientEmail,
    ClientPhone,
    Consent,
)
from models.crm.history import CrmTask, Interaction
from models.db.base import Base
from models.db.errors import DomainError
from models.notifications.in_app import Notification
from models.notifications.outbox import NotificationTemplate, OutboundMessage
from models.process.human_task import HumanTask
from models.process.instance import (
    ProcessBusinessKey,
    ProcessDraft,
    ProcessEvent,
    ProcessInstance,
    ProcessModel,
)
from models.sales.consistency import HeldPremiseFinding
from models.sales.queue import QueueEntry
from models.sales.reservation import Reservation, ReservationEvent
from models.users.api_key import ApiKey, IdempotencyRecord
from models.users.audit import AuditEvent
from models.users.login_failures import LoginFailure
from models.users.user import Role, User

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Client",
    "ClientChange",
    "ClientConflict",
    "ClientEmail",
    "CrmTask",
    "Interaction",
    "LoginFailure",
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
    "HeldPremiseFinding",
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
