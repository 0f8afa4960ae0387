"""The inbox list's SQL filter and the rule on a task row agree, for every role and state.

`HumanTask.in_inbox_of(user)` is one definition read two ways: on a row it answers True/False,
on the class it is the WHERE clause of the inbox queries. This runs the clause on the database
over a task of every role in every assignment state and compares it with the rows' answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy import select

from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance, ProcessModel, ProcessStatus
from models.users.user import Role
from tests.factories.users import user

ESCALATED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def states(lane: Role, other: Role, me: int, colleague: int) -> list[dict]:
    """The assignment states of a task in `lane`, as seen by user `me` of that lane."""
    done = HumanTaskStatus.completed
    return [
        {"role": lane, "assignee_id": me},
        {"role": lane, "assignee_id": colleague},
        {"role": lane},
        {"role": other},
        {"role": other, "assignee_id": colleague},
        {"role": other, "assignee_id": me},
        {"role": other, "escalation_role": lane, "escalated_at": ESCALATED_AT},
        {"role": other, "escalation_role": lane},
        {"role": lane, "status": done, "assignee_id": me, "completed_by_id": me},
        {"role": other, "status": done, "assignee_id": colleague, "completed_by_id": me},
        {"role": lane, "status": HumanTaskStatus.cancelled},
    ]


def test_the_inbox_filter_lists_exactly_the_tasks_a_row_says_are_in_the_inbox(db_session):
    model = ProcessModel(process_id="p", version=1, name="p", bpmn_xml="", sha256="0" * 64)
    instance = ProcessInstance(
        model=model, process_id="p", status=ProcessStatus.waiting, serialized=""
    )
    db_session.add(instance)
    people = {
        role: (user(db_session, role), user(db_session, role, email=f"colleague-{role}@test"))
        for role in Role
    }
    guid = count()
    for role, (me, colleague) in people.items():
        other = Role.lawyer if role != Role.lawyer else Role.marketer
        for fields in states(role, other, me.id, colleague.id):
            fields.setdefault("status", HumanTaskStatus.open)
            db_session.add(
                HumanTask(
                    instance=instance,
                    task_guid=f"t{next(guid)}",
                    task_name="t",
                    title="t",
                    **fields,
                )
            )
    db_session.flush()
    tasks = db_session.scalars(select(HumanTask)).all()
    assert len(tasks) == 11 * len(Role)

    for me, colleague in people.values():
        for person in (me, colleague):
            listed = set(
                db_session.scalars(select(HumanTask.id).where(HumanTask.in_inbox_of(person)))
            )
            expected = {task.id for task in tasks if task.in_inbox_of(person)}
            assert listed == expected, person.role
            assert expected, person.role  # every role has tasks in its inbox here
