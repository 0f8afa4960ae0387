"""The analysts' modeler: drafts of a process, saving with validation, publishing, restoring an
old version, importing a `.bpmn` file. Every change is recorded in the audit history.

A draft is saved whatever problems it has (so no work is lost) as long as it is a well-formed,
safe BPMN document of the same process; only a draft without problems can be published, and a
refused publication changes nothing. Functions only flush: the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import asdict

from lxml import etree
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import bpmn
from engine.bpmn import BPMN_NS, BpmnRejected, Problem, repository
from engine.bpmn.texts import check_expressions, translate_juel
from engine.bpmn.validation import check_xml
from engine.core.errors import ProcessNotFound
from models.db.base import utcnow
from models.process.instance import ProcessDraft, ProcessModel
from models.users.audit import AuditEvent
from models.users.user import User

MAX_NOTE_LENGTH = 500
IMPORT_SUFFIXES = (".bpmn", ".xml")
PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,99}$")
# names the catalogue's own pages take under /processes/
RESERVED_IDS = frozenset({"import", "drafts", "api", "instances"})


def record(
    session: Session, user: User | None, action: str, process_id: str, **details
) -> AuditEvent:
    """Append one row to the audit history of a process."""
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        object_type="process",
        object_id=process_id,
        details=details,
    )
    session.add(event)
    return event


def new_draft(
    session: Session, process_id: str, user: User, from_model: ProcessModel | None = None
) -> ProcessDraft:
    """A draft holding a copy of `from_model` (default: the latest published version)."""
    model = from_model or repository.latest(session, process_id)
    draft = _draft_of(model, user)
    session.add(draft)
    session.flush()
    record(
        session, user, "process.draft_created", model.process_id, draft_id=draft.id,
        version=model.version,
    )  # fmt: skip
    return draft


def restore(session: Session, model: ProcessModel, user: User) -> ProcessDraft:
    """An old version back as a new draft; publishing it makes it the newest version."""
    draft = _draft_of(model, user)
    session.add(draft)
    session.flush()
    record(
        session, user, "process.restored", model.process_id, draft_id=draft.id,
        version=model.version,
    )  # fmt: skip
    return draft


def save_draft(session: Session, draft: ProcessDraft, xml: str, user: User) -> list[Problem]:
    """Store `xml` in the draft with every problem found; returns the problems.

    Not well-formed, hostile or non-BPMN XML, or a document of another process, raises
    BpmnRejected and leaves the draft as it was.
    """
    tree = bpmn.parse_xml(xml)
    process_id, name = bpmn.executable_process_id(tree)
    if process_id != draft.process_id:
        raise BpmnRejected(
            f"Черновик относится к процессу «{draft.process_id}», а в схеме процесс "
            f"«{process_id}»: идентификатор процесса менять нельзя"
        )
    problems = named_problems(check_xml(xml), tree)
    draft.bpmn_xml = xml
    draft.name = (name or process_id)[:200]
    draft.problems = [asdict(problem) for problem in problems]
    draft.updated_by_id = user.id
    draft.updated_at = utcnow()
    session.flush()
    record(
        session, user, "process.draft_saved", draft.process_id, draft_id=draft.id,
        problems=len(problems),
    )  # fmt: skip
    return problems


def publish_draft(
    session: Session, draft: ProcessDraft, user: User, note: str = ""
) -> ProcessModel:
    """The draft becomes the next immutable version; the draft is then deleted.

    Any problem, or nothing changed since the latest version, raises BpmnRejected and nothing
    is written.
    """
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise BpmnRejected(f"Комментарий к версии длиннее {MAX_NOTE_LENGTH} символов")
    tree = bpmn.parse_xml(draft.bpmn_xml)
    problems = named_problems(check_xml(draft.bpmn_xml), tree)
    if problems:
        raise BpmnRejected(
            f"Черновик нельзя опубликовать: найдено проблем — {len(problems)}", problems
        )
    current = _latest_or_none(session, draft.process_id)
    if current is not None and current.sha256 == bpmn.sha256(draft.bpmn_xml):
        raise BpmnRejected(
            f"Нет изменений: черновик совпадает с опубликованной версией {current.version}"
        )
    if current is not None and current.published_at > draft.created_at:
        # Publishing it would silently undo what the newer version changed.
        raise BpmnRejected(
            f"Черновик устарел: после его создания опубликована версия {current.version}. "
            "Сравните их на странице процесса и внесите свои изменения в новый черновик"
        )
    try:
        with session.begin_nested():
            model = repository.publish(session, draft.bpmn_xml, user_id=user.id, note=note)
    except IntegrityError as error:
        raise BpmnRejected(
            "Версию только что опубликовал другой сотрудник: откройте процесс заново"
        ) from error
    based_on = (
        session.get(ProcessModel, draft.based_on_model_id) if draft.based_on_model_id else None
    )
    record(
        session,
        user,
        "process.published",
        model.process_id,
        version=model.version,
        model_id=model.id,
        draft_id=draft.id,
        based_on_version=based_on.version if based_on is not None else None,
        previous_version=current.version if current is not None else None,
        note=note,
    )
    session.delete(draft)
    session.flush()
    return model


def import_file(session: Session, data: bytes, filename: str, user: User) -> ProcessDraft:
    """A `.bpmn` file from Camunda Modeler or bpmn.io as a new draft of its process.

    The file must be a safe BPMN document whose expressions and scripts pass the sandbox;
    other problems (an unknown action, a lane that is not a role…) are kept with the draft for
    the analyst to fix in the editor. Camunda's JUEL expressions (`${amount > 1000}`) are
    translated to Python where they are simple, each noted at its element; the others stay as
    they are, listed among the draft's problems.
    """
    if not (filename or "").lower().endswith(IMPORT_SUFFIXES):
        raise BpmnRejected("Загрузите файл BPMN с расширением .bpmn")
    if not data:
        raise BpmnRejected("Файл пустой")
    if len(data) > bpmn.MAX_BPMN_BYTES:
        limit = bpmn.MAX_BPMN_BYTES // (1024 * 1024)
        raise BpmnRejected(f"Файл больше {limit} МБ: загрузите файл поменьше")
    tree = bpmn.parse_xml(data)
    try:
        xml = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BpmnRejected("Файл должен быть в кодировке UTF-8") from error
    process_id, name = bpmn.executable_process_id(tree)
    if process_id in RESERVED_IDS:
        raise BpmnRejected(f"Идентификатор процесса «{process_id}» занят: выберите другой")
    if not process_id or not PROCESS_ID.match(process_id):
        raise BpmnRejected(
            f"Идентификатор процесса «{process_id or ''}» недопустим: латинские буквы, цифры "
            "и _, не длиннее 100 символов"
        )
    translated = named_problems(translate_juel(tree), tree)
    if translated:
        xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    unsafe = named_problems(check_expressions(tree, safety_only=True), tree)
    if unsafe:
        raise BpmnRejected(
            "Файл отклонён: выражения или скрипты в нём нарушают правила безопасности", unsafe
        )
    problems = named_problems(check_xml(xml), tree)
    base = _latest_or_none(session, process_id)
    draft = ProcessDraft(
        process_id=process_id,
        name=(name or process_id)[:200],
        bpmn_xml=xml,
        based_on_model_id=base.id if base is not None else None,
        problems=[asdict(problem) for problem in translated + problems],
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    session.add(draft)
    session.flush()
    record(
        session, user, "process.imported", process_id, draft_id=draft.id,
        filename=(filename or "")[:200], problems=len(problems), translated=len(translated),
    )  # fmt: skip
    return draft


def delete_draft(session: Session, draft: ProcessDraft, user: User) -> None:
    record(session, user, "process.draft_deleted", draft.process_id, draft_id=draft.id)
    session.delete(draft)
    session.flush()


def drafts_of(session: Session, process_id: str) -> list[ProcessDraft]:
    return list(
        session.scalars(
            select(ProcessDraft)
            .where(ProcessDraft.process_id == process_id)
            .order_by(ProcessDraft.updated_at.desc())
        )
    )


def named_problems(problems: list[Problem], tree) -> list[Problem]:
    """Fill in the element name of problems that only carry the element's id."""
    names = {
        element.get("id"): element.get("name") or ""
        for element in tree.getroot().iter(f"{{{BPMN_NS}}}*")
        if element.get("id")
    }
    return [
        p if p.element_name or not p.element_id else Problem(
            p.element_id, names.get(p.element_id, ""), p.message
        )
        for p in problems
    ]  # fmt: skip


def _draft_of(model: ProcessModel, user: User) -> ProcessDraft:
    problems = named_problems(check_xml(model.bpmn_xml), bpmn.parse_xml(model.bpmn_xml))
    return ProcessDraft(
        process_id=model.process_id,
        name=model.name,
        bpmn_xml=model.bpmn_xml,
        based_on_model_id=model.id,
        problems=[asdict(problem) for problem in problems],
        created_by_id=user.id,
        updated_by_id=user.id,
    )


def _latest_or_none(session: Session, process_id: str) -> ProcessModel | None:
    try:
        return repository.latest(session, process_id)
    except ProcessNotFound:
        return None
