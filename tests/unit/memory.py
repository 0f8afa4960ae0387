"""Entities built in memory for the rule tests: no session, no database, no app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from models.catalog.objects import Premise, PremiseStatus
from models.clients.client import Client
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Channel, Reservation
from models.users.user import Role, User

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PRICE = Decimal("10000000.00")


def premise(status: PremiseStatus = PremiseStatus.available, number: str = "101") -> Premise:
    return Premise(id=1, number=number, status=status, price=PRICE, total_area=Decimal("50.00"))


def user(role: Role = Role.sales_manager, user_id: int = 7) -> User:
    return User(id=user_id, role=role, full_name="Сотрудник")


def client(client_id: int = 3) -> Client:
    return Client(id=client_id, full_name="Покупатель")


def reservation(*, paid: bool = False, term: timedelta = timedelta(days=3)) -> Reservation:
    """An active reservation taken NOW on a free premise."""
    return Reservation.take(
        premise(),
        client(),
        channel=Channel.offline,
        term=term,
        manager_id=7,
        now=NOW,
        paid=paid,
    )


def queue(premise_id: int = 1, *client_ids: int, manager_id: int = 7) -> list[QueueEntry]:
    """Waiting entries for `client_ids` in that order, positions 1, 2, 3…"""
    return [
        QueueEntry(
            id=100 + position,
            premise_id=premise_id,
            client_id=client_id,
            manager_id=manager_id,
            position=position,
            status=QueueStatus.waiting,
            created_at=NOW,
        )
        for position, client_id in enumerate(client_ids, start=1)
    ]
