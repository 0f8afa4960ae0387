"""engine/areas.py is the one list of areas: registering an area registers its actions, events
and jobs; the engine's core registers none of them by itself; a name is taken once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine import areas
from engine.core import actions, jobs
from engine.notifications.catalog import EVENTS, Event, event
from engine.sales.events import RESERVATION_MADE

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: the whole core loaded, then each area registered, then all again.
REGISTER_ONE_BY_ONE = """
import json
import engine.core.runtime, engine.core.tick, engine.bpmn.validation
from engine import areas
from engine.core import actions, compensations, jobs
from engine.notifications.catalog import EVENTS

def names():
    return {"actions": sorted(actions.registered()), "events": sorted(EVENTS),
            "jobs": sorted(jobs.registered()), "compensations": sorted(compensations.registered())}

seen = {"core": names()}
for area in areas.AREAS:
    areas.register(area)
    seen[area.name] = names()
for area in areas.AREAS:
    areas.register(area)
seen["again"] = names()
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def registered_by_area() -> dict[str, dict[str, list[str]]]:
    done = subprocess.run(
        [sys.executable, "-c", REGISTER_ONE_BY_ONE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def added_by(seen, area: str) -> dict[str, set[str]]:
    order = ["core", *(a.name for a in areas.AREAS)]
    before = seen[order[order.index(area) - 1]]
    return {kind: set(seen[area][kind]) - set(before[kind]) for kind in before}


def test_the_core_alone_registers_no_action_and_no_job_and_only_its_own_events(
    registered_by_area,
):
    core = registered_by_area["core"]
    assert core["actions"] == [] and core["jobs"] == [] and core["compensations"] == []
    assert core["events"] == sorted(
        ["approval_requested", "approval_decided", "process_task_due", "process_task_overdue"]
    )


def test_registering_sales_registers_its_actions_changes_events_job_and_compensation(
    registered_by_area,
):
    added = added_by(registered_by_area, "sales")
    assert {"reserve_premise", "end_reservation", "promote_queue"} <= added["actions"]
    assert "register_payment" in added["actions"]  # engine/sales/changes.py
    assert added["events"] == {
        "reservation_made",
        "reservation_expiring",
        "reservation_expired",
        "reservation_cancelled",
        "reservation_converted",
        "reservation_refused",
        "queue_promoted",
        "premise_held_without_process",
    }
    assert added["jobs"] == {"held_premises_check"}
    assert added["compensations"] == {"reservation"}  # engine/sales/compensations.py


def test_registering_crm_registers_its_event_and_its_job(registered_by_area):
    added = added_by(registered_by_area, "crm")
    assert added == {
        "actions": set(),
        "events": {"task_due"},
        "jobs": {"crm_task_reminders"},
        "compensations": set(),
    }


def test_registering_catalog_and_clients_registers_their_rooms(registered_by_area):
    assert "change_premise_price" in added_by(registered_by_area, "catalog")["actions"]
    assert added_by(registered_by_area, "clients")["events"] == {"promotion_offer"}


def test_registering_the_areas_again_changes_nothing(registered_by_area):
    everything = registered_by_area[areas.AREAS[-1].name]
    assert registered_by_area["again"] == everything
    before = (actions.registered(), dict(EVENTS), jobs.registered())
    assert set(everything["actions"]) <= set(before[0])  # tests add actions of their own
    assert (sorted(before[1]), sorted(before[2])) == (everything["events"], everything["jobs"])
    areas.register_all()
    areas.register_all()
    assert (actions.registered(), dict(EVENTS), jobs.registered()) == before


def test_a_second_event_with_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="reservation_made declared twice"):
        event("reservation_made", "Другая бронь", {}, staff_in_app="Бронь")
    assert EVENTS["reservation_made"] is RESERVATION_MADE


def test_a_second_action_with_a_taken_name_is_refused():
    first = actions.get("reserve_premise")
    with pytest.raises(ValueError, match="reserve_premise registered twice"):
        actions.action("reserve_premise", "Другое действие")(lambda ctx: {})
    assert actions.get("reserve_premise") is first


def test_a_second_job_with_a_taken_name_is_refused():
    first = jobs.registered()["crm_task_reminders"]
    with pytest.raises(ValueError, match="crm_task_reminders registered twice"):
        jobs.job("crm_task_reminders", "Другая работа")(lambda session, now, size: 0)
    assert jobs.registered()["crm_task_reminders"] is first


def test_an_event_whose_text_names_an_undeclared_placeholder_is_refused():
    with pytest.raises(ValueError, match=r"undeclared placeholders \['premise_number'\]"):
        Event("test_event", "Проверка", {}, staff_in_app="Бронь № {premise_number}")


def test_the_texts_of_an_event_decide_who_hears_of_it_and_how():
    assert RESERVATION_MADE.client_channels == ("email", "sms")
    assert RESERVATION_MADE.staff_channels == ("in_app", "email")
    assert EVENTS["reservation_refused"].channels == (("staff", "in_app"),)
