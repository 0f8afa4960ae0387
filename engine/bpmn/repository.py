"""Process models as versioned data: the shipped `processes/*.bpmn` become version 1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import bpmn
from engine.core.errors import ProcessNotFound
from models.db import shared_cache, txcache
from models.process.instance import ProcessModel

PROCESSES_DIR = Path(__file__).resolve().parents[2] / "processes"


def shipped_files() -> list[Path]:
    return sorted(PROCESSES_DIR.glob("*.bpmn"))


def latest(session: Session, process_id: str) -> ProcessModel:
    model = session.scalars(
        select(ProcessModel)
        .where(ProcessModel.process_id == process_id)
        .order_by(ProcessModel.version.desc())
        .limit(1)
    ).first()
    if model is None:
        model = _load_shipped(session, process_id)
    if model is None:
        raise ProcessNotFound(f"Процесс «{process_id}» не найден")
    return model


@dataclass(frozen=True)
class LatestModel:
    """What starting an instance needs of a process's latest version."""

    id: int
    process_id: str
    name: str
    sha256: str


def latest_for_start(session: Session, process_id: str) -> LatestModel:
    """The latest version, kept per worker for a few seconds (models/shared_cache.py): every
    reservation starts a process. A version this worker publishes is seen at once; one another
    worker publishes, within SHARED_CACHE_SECONDS."""
    found = shared_cache.peek(session, "latest_model", process_id)
    if found is not None:
        return found
    model = latest(session, process_id)
    found = LatestModel(model.id, model.process_id, model.name, model.sha256)
    # A version published by this transaction is not kept: it is gone if the transaction is.
    if model.id not in txcache.namespace(session, "published_models"):
        shared_cache.keep(session, "latest_model", process_id, found)
    return found


def publish(
    session: Session, xml: str, *, user_id: int | None = None, note: str = ""
) -> ProcessModel:
    """Validate and store `xml` as the next immutable version of its process."""
    from engine.bpmn.validation import check_xml

    problems = check_xml(xml)
    if problems:
        raise bpmn.BpmnRejected("Процесс с ошибками нельзя опубликовать", problems)
    definition = bpmn.load(xml)
    current = session.scalar(
        select(func.max(ProcessModel.version)).where(
            ProcessModel.process_id == definition.process_id
        )
    )
    model = ProcessModel(
        process_id=definition.process_id,
        version=(current or 0) + 1,
        name=definition.name,
        bpmn_xml=xml,
        sha256=bpmn.sha256(xml),
        published_by_id=user_id,
        note=note,
    )
    session.add(model)
    session.flush()
    txcache.namespace(session, "published_models")[model.id] = True
    shared_cache.forget(session, "latest_model")
    return model


def load_shipped(session: Session) -> list[ProcessModel]:
    """Publish every shipped process that has no version yet; returns what was published."""
    published = []
    for path in shipped_files():
        exists = session.scalar(select(ProcessModel.id).where(ProcessModel.process_id == path.stem))
        if not exists:
            published.append(publish(session, path.read_text("utf-8"), note="поставка"))
    return published


def _load_shipped(session: Session, process_id: str) -> ProcessModel | None:
    """Version 1 on first use; two first uses at once: one publishes, the other reads it."""
    path = PROCESSES_DIR / f"{process_id}.bpmn"
    if not path.is_file():
        return None
    try:
        with session.begin_nested():
            return publish(session, path.read_text("utf-8"), note="поставка")
    except IntegrityError:
        return session.scalars(
            select(ProcessModel)
            .where(ProcessModel.process_id == process_id)
            .order_by(ProcessModel.version.desc())
            .limit(1)
        ).first()
