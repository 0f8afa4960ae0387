"""The demo department mid-month: reservations in every state made through the reservation
process (office, online, paid, extended, in a queue, expired, cancelled, turned into a deal),
requests waiting for the head of sales, and one process in error for the administrator.

Every premise the demo holds is held by a live reservation process, as in real work, except
the one whose process is deliberately broken (`_broken`): the consistency check on the process
monitor lists exactly that one.

Clients are numbered as in web/demo_people.py BUYERS; none holds more than two active
reservations at any moment (the default limit), but client 5, for whom the manager asks the
head of sales for a third."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import runtime, start_forms
from engine.sales import use_cases as reservations
from models.catalog.objects import Premise, PremiseKind, PremiseStatus
from models.clients.client import Client
from models.sales.reservation import Channel, Reservation
from models.users.user import User
from web.demo_people import manager_for
from web.demo_time import Timeline

ENGINE_LOG = "engine.core.run"
BROKEN_FEE = "-5000"  # a payment the process cannot record: its instance goes to `error`
CANCEL_REASONS = [
    "Клиент выбрал квартиру в другом ЖК",
    "Банк отказал в ипотеке",
    "Клиент передумал, нужна квартира побольше",
]


class Department:
    """Schedules the department's work on the timeline; `counts` says what was made."""

    def __init__(
        self,
        session: Session,
        timeline: Timeline,
        staff: dict[str, User],
        buyers: list[Client],
        rng: random.Random,
    ) -> None:
        self.session, self.timeline, self.staff, self.buyers = session, timeline, staff, buyers
        self.manager, self.head = staff["manager"], staff["head"]
        self.pool = _free_apartments(session, rng)
        self.counts: dict[str, int] = {}

    def hours_ago(self, hours: float) -> datetime:
        return self.timeline.now - timedelta(hours=hours)

    def schedule(self) -> None:
        self._offline()
        self._paid()
        self._online()
        self._expired_and_cancelled()
        self._approvals()
        self._broken()

    # ------------------------------------------------------------ reservations

    def reserve(
        self,
        hours: float,
        client: int,
        *,
        channel: Channel = Channel.offline,
        then: Callable[[Reservation], None] | None = None,
    ) -> None:
        """Client number `client` reserves the next free premise `hours` before now."""
        premise = self.pool.pop()
        user = None if channel == Channel.online else self._manager_of(client)

        def step() -> None:
            outcome = reservations.reserve(
                self.session, premise.id, self.buyers[client], channel=channel, user=user
            )
            self._count("reservations")
            if then is not None:
                then(outcome.reservation)

        self.timeline.at(self.hours_ago(hours), step)

    def later(self, hours: float, work: Callable[[], object]) -> None:
        self.timeline.at(self.hours_ago(hours), work)

    def _offline(self) -> None:
        """Fourteen office reservations of the last three days; four with a queue, two
        extended within the maximum term."""
        queues = {0: [20, 21], 1: [22], 2: [23], 3: [24]}
        for index in range(14):
            started = 2 + index * 5

            def then(reservation, index=index, started=started) -> None:
                for queued in queues.get(index, []):
                    self.later(started - 1, lambda q=queued: self._enqueue(reservation, q))
                if index in (10, 11):
                    until = reservation.starts_at + timedelta(days=6)
                    self.later(3, lambda: self._extend(reservation, until))

            self.reserve(started, index, then=then)

    def _paid(self) -> None:
        """Twelve paid reservations of the last week. Two became deals; for two the manager
        asks the head of sales: to lift a paid one, to extend one past the maximum term."""
        afterwards: dict[int, Callable[[Reservation], None]] = {
            1: lambda r: self._cancel(r, "Клиент просит вернуть оплату брони", 2),
            2: lambda r: self.later(1, lambda: self._extend(r, r.starts_at + timedelta(days=40))),
            5: lambda r: self.later(5, lambda: self._convert(r)),
            6: lambda r: self.later(6, lambda: self._convert(r)),
        }
        for index in range(12):
            started = 24 + index * 14

            def then(reservation, index=index, started=started) -> None:
                self.later(started - 20, lambda: self._pay(reservation))
                if index in afterwards:
                    afterwards[index](reservation)

            self.reserve(started, 14 + index, then=then)

    def _online(self) -> None:
        for client, hours in ((26, 3), (27, 9), (28, 16)):
            self.reserve(hours, client, channel=Channel.online)

    def _expired_and_cancelled(self) -> None:
        """Reservations that ran out (one premise then offered to the first in its queue, who
        has a day to answer) and ones the manager lifted."""

        def queue_behind(reservation) -> None:
            self.later(81, lambda: self._enqueue(reservation, 34))

        self.reserve(82, 29, then=queue_behind)  # ran out ten hours ago
        for index, client in enumerate(range(30, 34)):
            self.reserve(110 + index * 10, client)
        for index, client in enumerate((0, 1, 2)):
            reason = CANCEL_REASONS[index]
            self.reserve(50 + index, client, then=lambda r, why=reason: self._cancel(r, why, 30))

    # ------------------------------------------------------------ for the head of sales

    def _approvals(self) -> None:
        """More requests in the head of sales' inbox (besides those of `_paid`): a client over
        the limit, two big price cuts; and one small cut the manager makes alone."""
        self.reserve(20, 4)  # client 4's second reservation: the limit is two
        self.later(4, lambda: self._over_limit(4))
        for hours, cut in ((26, "0.88"), (7, "0.90"), (30, "0.98")):
            self._price_change(hours, Decimal(cut))

    def _over_limit(self, client: int) -> None:
        premise = self.pool.pop()
        outcome = reservations.reserve(
            self.session,
            premise.id,
            self.buyers[client],
            channel=Channel.offline,
            user=self.manager,
            request_approval=True,
        )
        if outcome.approval_requested:
            self._count("approvals")

    def _price_change(self, hours: float, factor: Decimal) -> None:
        premise = self.pool.pop()

        def step() -> None:
            new_price = (premise.price * factor / 1000).quantize(Decimal("1")) * 1000
            instance = start_forms.start_with_first_form(
                self.session,
                "price_change",
                {"premise_number": premise.number, "current_price": str(premise.price)},
                {"premise_id": premise.id},
                self.manager,
                {"new_price": str(new_price), "reason": "Скидка за этаж: вид во двор, рядом лифт"},
                title=f"№ {premise.number}, {premise.building.title}",
            )
            self._count("approvals" if instance.is_active else "price_changes")

        self.later(hours, step)

    # ------------------------------------------------------------ for the administrator

    def _broken(self) -> None:
        """Client 35's reservation: a payment of a negative sum arrives the way a timer's
        step delivers it (not refused, recorded as a failure): the process is in error."""

        def pay_wrongly(reservation) -> None:
            with _quiet(ENGINE_LOG):  # expected: the failure is kept on the instance
                runtime.send_message(
                    self.session,
                    reservations.EVENT,
                    "reservation_id",
                    reservation.id,
                    {"outcome": "paid", "fee": BROKEN_FEE, "user_id": self.manager.id},
                    user=self.manager,
                    refuse=False,
                )

        def break_it(reservation) -> None:
            self.later(6, lambda: pay_wrongly(reservation))

        self.reserve(30, 35, then=break_it)

    # ------------------------------------------------------------ single steps

    def _enqueue(self, reservation: Reservation, client: int) -> None:
        reservations.enqueue(
            self.session, reservation.premise_id, self.buyers[client], self._manager_of(client)
        )
        self._count("queued")

    def _extend(self, reservation: Reservation, until) -> None:
        outcome = reservations.extend(self.session, reservation, until, self._handler(reservation))
        self._count("approvals" if outcome.approval_requested else "extended")

    def _pay(self, reservation: Reservation) -> None:
        reservations.pay(self.session, reservation, None, self._handler(reservation))
        self._count("paid")

    def _convert(self, reservation: Reservation) -> None:
        reservations.convert(self.session, reservation, self._handler(reservation))
        self._count("deals")

    def _cancel(self, reservation: Reservation, reason: str, hours: float) -> None:
        def step() -> None:
            outcome = reservations.cancel(
                self.session, reservation, reason, self._handler(reservation)
            )
            self._count("approvals" if outcome.approval_requested else "cancelled")

        self.later(hours, step)

    def _handler(self, reservation: Reservation) -> User:
        """Who acts on a reservation: its own manager (an online one: the demo's manager)."""
        return reservation.manager or self.manager

    def _manager_of(self, client: int) -> User:
        """The manager who leads the client's card (only they or management reserve for it)."""
        return manager_for(client, self.staff)

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """The engine logs a failing step with its traceback for the administrator's log; the
    demo's one deliberate failure would print it in the terminal of `flask demo load`."""
    logger = logging.getLogger(logger_name)
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def _free_apartments(session: Session, rng: random.Random) -> list[Premise]:
    """The free flats in a fixed random order (popped from the end)."""
    premises = list(
        session.scalars(
            select(Premise)
            .where(Premise.kind == PremiseKind.apartment, Premise.status == PremiseStatus.available)
            .order_by(Premise.id)
        )
    )
    rng.shuffle(premises)
    return premises
