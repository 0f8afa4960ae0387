"""The changed columns of many versioned rows, written in one statement per set of columns.

SQLAlchemy writes each changed row of a mapper with a `version_id_col` in an UPDATE of its own,
so that it can check each row's count. A batch of the engine tick changes a couple of hundred
process instances at once, and those single UPDATEs were the only statements of the batch sent
one per row. Here the rows that changed the same columns go in one executemany, each row still
conditioned on its version; the total row count is checked, and a mismatch raises
`StaleDataError` as the ORM's own flush would (the caller's savepoint then undoes the batch).
Each row's new values are then the object's committed state, so the ORM's flush skips it.

Rows the ORM must write itself are left to it: new or deleted objects, a change of a
many-to-one reference (its foreign key is filled in by the flush), or a column with an
`onupdate` default that the change does not set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm import MANYTOONE, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError


def write_changed(session: Session, objects: Iterable[object]) -> int:
    """Write the column changes of `objects` (one versioned mapper); the number of rows written.
    Objects without changes, or that only the ORM can write, are left for the next flush."""
    groups: dict[tuple, list] = defaultdict(list)
    mapper = None
    for obj in objects:
        state = inspect(obj)
        mapper = mapper or state.mapper
        if state.mapper is not mapper or mapper.version_id_col is None:
            raise ValueError("write_changed takes objects of one versioned mapper")
        changed = _changed_columns(state)
        if changed:
            groups[tuple(changed)].append((obj, state))
    written = 0
    for keys, members in groups.items():
        written += _write_group(session, mapper, keys, members)
    return written


def _changed_columns(state) -> list[str] | None:
    """The changed column attributes, or None if the object is the ORM's to write."""
    if not state.persistent or state.deleted or state.session is None:
        return None
    mapper = state.mapper
    for relationship in mapper.relationships:
        if (
            relationship.direction is MANYTOONE
            and state.attrs[relationship.key].history.has_changes()
        ):
            return None
    changed = [
        prop.key for prop in mapper.column_attrs if state.attrs[prop.key].history.has_changes()
    ]
    if not changed:
        return None
    for prop in mapper.column_attrs:
        if prop.columns[0].onupdate is not None and prop.key not in changed:
            return None
    return changed


def _write_group(session: Session, mapper, keys: tuple[str, ...], members: list) -> int:
    table = mapper.local_table
    [primary_key] = mapper.primary_key
    version = mapper.version_id_col
    version_key = mapper.get_property_by_column(version).key
    columns = {key: mapper.get_property(key).columns[0] for key in keys}
    statement = (
        update(table)
        .where(primary_key == bindparam("w_pk", type_=primary_key.type))
        .where(version == bindparam("w_version", type_=version.type))
        .values(
            {
                version.name: bindparam("w_next_version", type_=version.type),
                **{
                    column.name: bindparam(f"w_{key}", type_=column.type)
                    for key, column in columns.items()
                },
            }
        )
    )
    rows, updates = [], []
    for obj, state in members:
        current = state.attrs[version_key].value
        following = mapper.version_id_generator(current)
        values = {key: state.attrs[key].value for key in keys}
        rows.append(
            {
                "w_pk": state.identity[0],
                "w_version": current,
                "w_next_version": following,
                **{f"w_{key}": value for key, value in values.items()},
            }
        )
        updates.append((obj, values, following))
    result = session.execute(statement, rows)
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
        raise StaleDataError(
            f"UPDATE statement on table '{table.name}' expected to update {len(rows)} row(s); "
            f"{result.rowcount} were matched."
        )
    for obj, values, following in updates:
        for key, value in values.items():
            set_committed_value(obj, key, value)
        set_committed_value(obj, version_key, following)
    return len(rows)
