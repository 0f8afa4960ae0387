"""Route × role matrix: every route answers 200 to the roles allowed, 403 to the others,
and sends anonymous visitors to the login page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.authoring.modeler import new_draft
from engine.core import runtime
from engine.crm.use_cases import plan_task
from engine.sales.use_cases import reserve
from models.db.base import utcnow
from models.process.human_task import HumanTask
from models.sales.reservation import Channel
from models.users.user import Role

EVERYONE = set(Role)
# Management: the admin and the head of sales (written out, not imported from the app).
MANAGEMENT = {Role.admin, Role.head_of_sales}
ADMIN = {Role.admin}
RESERVERS = {Role.admin, Role.head_of_sales, Role.sales_manager}
READERS = RESERVERS | {Role.mortgage_broker, Role.analyst}
CLIENT_READERS = READERS | {Role.marketer}  # marketers: lead source and consents, no documents

# (url template, roles allowed). Placeholders are filled from the `objects` fixture.
MATRIX: list[tuple[str, set[Role]]] = [
    ("/projects", EVERYONE),
    ("/projects/new", MANAGEMENT),
    ("/projects/{project}", EVERYONE),
    ("/projects/{project}/edit", MANAGEMENT),
    ("/projects/{project}/buildings/new", MANAGEMENT),
    ("/projects/{project}/export?format=csv", EVERYONE),
    ("/projects/{project}/import", MANAGEMENT),
    ("/buildings/{building}", EVERYONE),
    ("/buildings/{building}/edit", MANAGEMENT),
    ("/buildings/{building}/chessboard", EVERYONE),
    ("/buildings/{building}/export?format=xlsx", EVERYONE),
    ("/buildings/{building}/premises/new", MANAGEMENT),
    ("/premises", EVERYONE),
    ("/premises/{premise}", EVERYONE),
    ("/premises/{premise}/edit", MANAGEMENT),
    ("/premises/{unpriced}/price-change", {Role.admin, Role.sales_manager}),
    ("/inbox/", EVERYONE),
    ("/inbox/requests", EVERYONE),
    ("/inbox/notifications", EVERYONE),
    ("/inbox/tasks/{task}", {Role.admin, Role.head_of_sales, Role.sales_manager}),
    ("/processes/instances", {Role.admin, Role.analyst}),
    ("/processes/instances/{instance}", {Role.admin, Role.analyst}),
    ("/processes/instances/{instance}/diagram.bpmn", {Role.admin, Role.analyst}),
    ("/admin/users", ADMIN),
    ("/admin/users/new", ADMIN),
    ("/admin/users/{user}", ADMIN),
    ("/admin/notifications/outbox", MANAGEMENT),
    ("/admin/notifications/outbox?status=failed&channel=email", MANAGEMENT),
    ("/admin/notifications/templates", ADMIN),
    ("/admin/notifications/templates/edit?event=task_due&audience=staff&channel=email", ADMIN),
    ("/reservations", READERS),
    ("/reservations/{reservation}", READERS),
    ("/premises/{premise}/reserve", RESERVERS),
    ("/premises/{reserved}/queue", RESERVERS),
    ("/clients", CLIENT_READERS),
    ("/clients?q=8 (999) 000-11-22", CLIENT_READERS),
    ("/clients?q=Клиент&page=2", CLIENT_READERS),
    ("/clients/new", RESERVERS),
    ("/clients/{client}", CLIENT_READERS),
    ("/clients/{client}/edit", RESERVERS),  # the sales manager is this client's manager
    ("/clients/{client}/merge", MANAGEMENT),
    ("/clients/{client}/merge?q=Клиент", MANAGEMENT),
    ("/admin/settings", MANAGEMENT),
    ("/admin/settings?project={project}", MANAGEMENT),
    ("/crm/clients/{client}/timeline", READERS),
    ("/crm/tasks/{crm_task}", READERS),
    ("/processes", EVERYONE),
    ("/processes/{process}", EVERYONE),
    ("/processes/{process}/versions/1.bpmn", EVERYONE),
    ("/processes/{process}/diff", EVERYONE),
    ("/processes/{process}/diff?from=1&to=1", EVERYONE),
    ("/processes/import", {Role.admin, Role.analyst}),
    ("/processes/drafts/{draft}/edit", {Role.admin, Role.analyst}),
    ("/processes/drafts/{draft}.bpmn", {Role.admin, Role.analyst}),
    ("/processes/api/palette", {Role.admin, Role.analyst}),
    ("/processes/{process}/versions/1/migrate", {Role.admin, Role.analyst}),
    ("/processes/drafts/{draft}/try", {Role.admin, Role.analyst}),
]


@pytest.fixture
def objects(make_building, make_premise, make_user, make_client, db_session):
    building = make_building()
    premise = make_premise(building)
    user = make_user(Role.lawyer, email="someone@test.local")
    manager = make_user(Role.sales_manager)
    instance = runtime.start(
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    db_session.commit()
    task = db_session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    reserved = make_premise(building, number="2")
    unpriced = make_premise(building, number="3")  # no price change under way: its form opens
    client = make_client("Клиент Тестов", "+79990001122", manager_id=manager.id)
    reservation = reserve(
        db_session, reserved.id, client, channel=Channel.offline, user=manager
    ).reservation
    crm_task = plan_task(
        db_session, client.id, manager, title="Перезвонить", kind="call", due_at=utcnow()
    )
    db_session.commit()
    draft = new_draft(db_session, "price_change", user)
    db_session.commit()
    return {
        "process": "price_change",
        "draft": draft.id,
        "reserved": reserved.id,
        "unpriced": unpriced.id,
        "client": client.id,
        "reservation": reservation.id,
        "project": building.project_id,
        "building": building.id,
        "premise": premise.id,
        "user": user.id,
        "task": task.id,
        "instance": instance.id,
        "crm_task": crm_task.id,
    }


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_route_answers_each_role_as_the_matrix_says(client, login_as, objects, role):
    login_as(role)
    for template, allowed in MATRIX:
        url = template.format(**objects)
        response = client.get(url)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, f"{role.value} GET {url}"


def test_anonymous_visitor_is_sent_to_login_from_every_route(client, objects):
    for template, _ in MATRIX:
        url = template.format(**objects)
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_every_view_declares_who_may_open_it(app):
    unguarded = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "allowed_roles")
    ]
    assert unguarded == []


def test_every_guarded_get_route_is_in_the_matrix(app):
    """A new page must be added to the matrix above, so its access is proven."""
    matrix_paths = {template.split("?")[0] for template, _ in MATRIX}
    public = {"/login", "/healthz", "/", "/favicon.ico"}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        path = rule.rule
        for converter in ("<int:project_id>", "<int:building_id>", "<int:premise_id>"):
            path = path.replace(converter, "{" + converter[5:-4] + "}")
        path = path.replace("<int:user_id>", "{user}")
        path = path.replace("<int:task_id>", "{task}").replace("<int:instance_id>", "{instance}")
        path = path.replace("<int:reservation_id>", "{reservation}")
        path = path.replace("<int:client_id>", "{client}")
        path = path.replace("<int:crm_task_id>", "{crm_task}")
        path = path.replace("<process_id>", "{process}").replace("<int:draft_id>", "{draft}")
        path = path.replace("<int:version>", "1")
        if path == "/premises/{premise}/queue":
            path = "/premises/{reserved}/queue"
        if path == "/premises/{premise}/price-change":
            path = "/premises/{unpriced}/price-change"
        if path not in matrix_paths and path not in public and not _exempt(rule.endpoint):
            missing.append(rule.rule)
    assert missing == []


def _exempt(endpoint: str) -> bool:
    # Binary downloads of uploads: covered by tests/web/test_catalog_pages.py and
    # tests/web/test_inbox_pages.py. The REST API (/api/v1) is guarded by API keys, not roles:
    # test_api_routes_need_a_key_not_a_login below and tests/web/test_api*.py.
    return endpoint.startswith("api.") or endpoint in {"catalog.premise_layout", "inbox.attachment"}


def test_api_routes_need_a_key_not_a_login(app, client, login_as):
    """Even an administrator's session opens no API route: 401 without a key, in JSON."""
    login_as(Role.admin)
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi_document":
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code == 401, f"{method} {url}"
            assert response.json["error"] == "unauthorized", f"{method} {url}"
    assert client.get("/api/v1/openapi.json").status_code == 200
