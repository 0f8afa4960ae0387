"""Construction objects: project (ЖК) → building → section → floor → premise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.catalog.kinds import (
    KIND_ACCUSATIVE,
    KIND_SHORT,
    PRICE_FIXED_STATUSES,
    STATUS_LABELS,
    STATUS_TRANSITIONS,
    ConstructionStage,
    Finishing,
    PremiseKind,
    PremiseStatus,
)
from models.catalog.price_reference import (
    REFERENCE_SOURCES,
    SETS_REFERENCE,
    first_price,
    price_cut_pct,
)
from models.db.base import Area, Base, Money, UTCDateTime, append_unloaded, enum_column, utcnow
from models.db.errors import DomainError, InvalidPremiseData, InvalidStatusChange


class PriceIsFixed(DomainError):
    """A fixed price cannot be changed: by the process, by hand, or by an import."""

    code = "price_not_changeable"
    status = 409

    def __init__(self, premise: Premise):
        super().__init__(
            f"Цена помещения № {premise.number} зафиксирована: оно в статусе "
            f"«{STATUS_LABELS[premise.status]}»",
            field="price",
        )


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    city: Mapped[str] = mapped_column(String(100), default="")
    developer_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buildings: Mapped[list[Building]] = relationship(
        back_populates="project", order_by="Building.name", cascade="all, delete-orphan"
    )


class Building(Base):
    __tablename__ = "building"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint("floors_above >= 1", name="floors_above_positive"),
        CheckConstraint("floors_below >= 0", name="floors_below_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300), default="")
    stage: Mapped[ConstructionStage] = mapped_column(
        enum_column(ConstructionStage), default=ConstructionStage.design
    )
    commissioning_date: Mapped[date | None] = mapped_column(Date)
    escrow_bank: Mapped[str] = mapped_column(String(200), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    floors_above: Mapped[int] = mapped_column(Integer, default=1)
    floors_below: Mapped[int] = mapped_column(Integer, default=0)

    project: Mapped[Project] = relationship(back_populates="buildings")
    sections: Mapped[list[Section]] = relationship(
        back_populates="building", order_by="Section.number", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return f"{self.project.name}, {self.name}"

    # A planned commissioning date of a building this product sells: not a typo's 1900 or 9999.
    COMMISSIONING_FROM = date(2000, 1, 1)
    COMMISSIONING_TO = date(2100, 12, 31)

    @classmethod
    def can_be_commissioned_on(cls, day: date) -> bool:
        return cls.COMMISSIONING_FROM <= day <= cls.COMMISSIONING_TO

    def floor_in_range(self, number: int) -> bool:
        return number != 0 and -self.floors_below <= number <= self.floors_above

    def section_by_number(self, number: int) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def ensure_section(self, number: int) -> Section:
        section = self.section_by_number(number)
        if section is None:
            section = Section(number=number, name=f"Секция {number}")
            self.sections.append(section)
        return section


class Section(Base):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")

    building: Mapped[Building] = relationship(back_populates="sections")
    floors: Mapped[list[Floor]] = relationship(
        back_populates="section", order_by="Floor.number", cascade="all, delete-orphan"
    )

    def ensure_floor(self, number: int) -> Floor:
        floor = next((f for f in self.floors if f.number == number), None)
        if floor is None:
            if not self.building.floor_in_range(number):
                raise InvalidPremiseData(
                    f"Этаж {number} вне здания: в корпусе «{self.building.name}» этажи "
                    f"от {-self.building.floors_below or 1} до {self.building.floors_above}",
                    field="floor",
                )
            floor = Floor(number=number)
            self.floors.append(floor)
        return floor


class Floor(Base):
    __tablename__ = "floor"
    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)

    section: Mapped[Section] = relationship(back_populates="floors")
    premises: Mapped[list[Premise]] = relationship(
        back_populates="floor", order_by="Premise.number"
    )


class Premise(Base):
    __tablename__ = "premise"
    __table_args__ = (
        UniqueConstraint("building_id", "number"),
        CheckConstraint("total_area > 0", name="total_area_positive"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("rooms >= 0", name="rooms_not_negative"),
        Index("ix_premise_building_status", "building_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    floor_id: Mapped[int] = mapped_column(ForeignKey("floor.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[PremiseKind] = mapped_column(
        enum_column(PremiseKind), default=PremiseKind.apartment
    )
    rooms: Mapped[int] = mapped_column(Integer, default=0)
    total_area: Mapped[Decimal] = mapped_column(Area)
    living_area: Mapped[Decimal | None] = mapped_column(Area)
    kitchen_area: Mapped[Decimal | None] = mapped_column(Area)
    price: Mapped[Decimal] = mapped_column(Money)
    # The price a cut is measured against (see REFERENCE_SOURCES): cuts add up against it.
    reference_price: Mapped[Decimal] = mapped_column(Money, default=first_price)
    reference_source: Mapped[str] = mapped_column(String(20), default="created")
    reference_set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finishing: Mapped[Finishing] = mapped_column(enum_column(Finishing), default=Finishing.none)
    status: Mapped[PremiseStatus] = mapped_column(
        enum_column(PremiseStatus), default=PremiseStatus.available
    )
    is_studio: Mapped[bool] = mapped_column(Boolean, default=False)
    is_euro_layout: Mapped[bool] = mapped_column(Boolean, default=False)
    has_terrace: Mapped[bool] = mapped_column(Boolean, default=False)
    layout_image: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    building: Mapped[Building] = relationship()
    floor: Mapped[Floor] = relationship(back_populates="premises")
    changes: Mapped[list[PremiseChange]] = relationship(
        back_populates="premise",
        order_by="PremiseChange.id.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def section(self) -> Section:
        return self.floor.section

    @property
    def price_per_m2(self) -> Decimal:
        return price_per_m2(self.price, self.total_area)

    @property
    def title(self) -> str:
        return f"{KIND_SHORT[self.kind]} № {self.number}"

    @property
    def title_accusative(self) -> str:
        """After «забронировать» or «на»: «квартиру № 35», «кладовую № 3»."""
        return f"{KIND_ACCUSATIVE[self.kind]} № {self.number}"

    def validate(self) -> None:
        """Rules a premise's own figures must keep; raises InvalidPremiseData."""
        if self.total_area is None or self.total_area <= 0:
            raise InvalidPremiseData("Общая площадь должна быть больше нуля", field="total_area")
        for field, label in (("living_area", "Жилая площадь"), ("kitchen_area", "Площадь кухни")):
            value = getattr(self, field)
            if value is not None and value < 0:
                raise InvalidPremiseData(f"{label} не может быть отрицательной", field=field)
            if value is not None and value > self.total_area:
                raise InvalidPremiseData(f"{label} не может быть больше общей", field=field)
        if self.price is None or self.price < 0:
            raise InvalidPremiseData("Цена не может быть отрицательной", field="price")
        if self.rooms is None or self.rooms < 0:
            raise InvalidPremiseData("Число комнат не может быть отрицательным", field="rooms")
        if self.is_studio and self.rooms > 1:
            raise InvalidPremiseData("Студия не может иметь больше одной комнаты", field="rooms")

    def can_reserve(self) -> bool:
        """The premise is free: only a premise on sale and not taken may be reserved."""
        return self.status == PremiseStatus.available

    def can_change_price(self) -> bool:
        return self.status not in PRICE_FIXED_STATUSES

    def change_price(
        self,
        new_price: Decimal,
        *,
        by_user_id: int | None,
        source: str,
        approved: bool = False,
    ) -> bool:
        """Set a new price with its history line; the same price is no change (False).
        Raises PriceIsFixed where the price is fixed (PRICE_FIXED_STATUSES). A price set by
        management (by hand, by import: SETS_REFERENCE) or `approved` by the head of sales
        becomes the reference price further cuts are measured against; any other keeps it."""
        if new_price < 0:
            raise InvalidPremiseData("Цена не может быть отрицательной", field="price")
        new_price = new_price.quantize(Decimal("0.01"))
        if self.price is not None and new_price == self.price:
            return False
        if not self.can_change_price():
            raise PriceIsFixed(self)
        if self.reference_price is None and self.price is not None:
            self.set_reference(self.price, "created")  # not flushed yet: its first price
        self._record("price", self.price, new_price, by_user_id, source)
        self.price = new_price
        if approved:
            self.set_reference(new_price, "approval")
        elif source in SETS_REFERENCE:
            self.set_reference(new_price, source)
        return True

    def set_reference(self, price: Decimal, source: str, now: datetime | None = None) -> None:
        self.reference_price = price
        self.reference_source = source
        self.reference_set_at = now or utcnow()

    @property
    def cut_reference(self) -> Decimal:
        """The price a cut is measured against: the reference price (the current price while
        a new premise has none yet)."""
        reference = self.reference_price if self.reference_price is not None else self.price
        return Decimal(str(reference))

    @property
    def reference_label(self) -> str:
        return REFERENCE_SOURCES.get(self.reference_source or "created", "")

    def cut_pct(self, new_price: Decimal) -> Decimal:
        """How far `new_price` is below the reference price, in per cent of it (0.01 %,
        rounded up, so a cut a hair over the threshold is never shown as the threshold);
        negative for a price above it."""
        return price_cut_pct(self.cut_reference, new_price)

    def can_change_status(self, new_status: PremiseStatus) -> bool:
        return new_status == self.status or new_status in STATUS_TRANSITIONS[self.status]

    def change_status(
        self, new_status: PremiseStatus, *, by_user_id: int | None, source: str
    ) -> bool:
        if new_status == self.status:
            return False
        if not self.can_change_status(new_status):
            raise InvalidStatusChange(
                f"Нельзя перевести помещение из статуса «{STATUS_LABELS[self.status]}» "
                f"в «{STATUS_LABELS[new_status]}»",
                field="status",
            )
        self._record("status", self.status, new_status, by_user_id, source)
        self.status = new_status
        return True

    def _record(self, field, old, new, by_user_id, source) -> None:
        change = PremiseChange(
            field=field,
            old_value=None if old is None else str(old),
            new_value=str(new),
            user_id=by_user_id,
            source=source,
        )
        append_unloaded(self, "changes", change)


class PremiseChange(Base):
    """Append-only history of a premise's price and status."""

    __tablename__ = "premise_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"), index=True)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    source: Mapped[str] = mapped_column(String(40), default="manual")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    premise: Mapped[Premise] = relationship(back_populates="changes")
    user = relationship("User")


def price_per_m2(price: Decimal, area: Decimal) -> Decimal:
    if not area:
        return Decimal("0.00")
    return (Decimal(price) / Decimal(area)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
