"""Issue 14, finding 3, end to end: an analyst's try-run of the hash-collision script, posted to a
real gunicorn with two worker processes, is refused within its budget, and the workers go on
serving.

Before the fix `M=2**61-1; L=[k*M for k in range(100000)]; s=set(L)` ran inside one C call for
minutes: two try-runs held both workers until gunicorn killed them, and the product was down.
Here both workers get an attack at the same moment (the issue's script, and a variant with no
loop at all, `set(range(0, 100000 * M, M))`); both answer with the Russian refusal, and the
next requests are answered. No time is asserted: the outcome is the proof (an unguarded run
would be killed by gunicorn's 30 s worker timeout and its connection dropped).
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from html import unescape

import pytest

from models.process.instance import ProcessDraft
from models.users.user import Role
from tests.factories.users import PASSWORD
from tests.server_support import Gunicorn

ISSUE_SCRIPT = "M=2**61-1\nL=[k*M for k in range(100000)]\ns=set(L)"
NO_LOOP_SCRIPT = "M=2**61-1\ns=set(range(0, 100000 * M, M))"
FLOODED = "одинаковым хеш-кодом"
OUT_OF_TIME = "Превышено время выполнения сценария"
WAIT_S = 90  # far above gunicorn's 30 s worker timeout: a held worker shows as a dropped answer


def draft_xml(process_id: str, script: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="{process_id}_definitions" targetNamespace="http://sales.local/test">
  <bpmn:process id="{process_id}" name="Перебор хешей" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="flood" name="Построить множество">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="flood"/>
    <bpmn:sequenceFlow id="f2" sourceRef="flood" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


class Browser:
    """One signed-in person: cookies kept, CSRF tokens read from the pages."""

    def __init__(self, server: Gunicorn):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=WAIT_S) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.server.base + path))

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        _, page = self.get(path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": unescape(token), **form}).encode()
        return self._open(urllib.request.Request(self.server.base + path, data=body))

    def log_in(self, email: str) -> None:
        status, page = self.post("/login", {"email": email, "password": PASSWORD})
        assert status == 200 and "Неверная" not in page, page[:500]


@pytest.fixture
def server(app, database_url, tmp_path, db_session):
    db_session.close()  # nothing of ours stays open while gunicorn works
    running = Gunicorn(database_url, tmp_path / "gunicorn.log", options=("--preload",))
    try:
        running.wait_ready(WAIT_S)
        yield running
    finally:
        running.stop()


@pytest.fixture
def drafts(db_session, make_user):
    analyst = make_user(Role.analyst, "flood-analyst@test.local")
    found = [
        ProcessDraft(process_id=f"hash_flood_{n}", name="Перебор хешей", bpmn_xml=draft_xml(
            f"hash_flood_{n}", script))
        for n, script in enumerate((ISSUE_SCRIPT, NO_LOOP_SCRIPT))
    ]  # fmt: skip
    db_session.add_all(found)
    db_session.commit()
    return analyst.email, [draft.id for draft in found]


def test_try_runs_of_the_hash_collision_script_are_refused_and_the_workers_keep_serving(
    drafts, server
):
    email, (issue_draft, no_loop_draft) = drafts
    analysts = [Browser(server), Browser(server)]
    for analyst in analysts:
        analyst.log_in(email)
    answers: dict[int, tuple[int, str]] = {}
    ready = threading.Barrier(2)

    def try_run(index: int, draft_id: int) -> None:
        ready.wait()
        path = f"/processes/drafts/{draft_id}/try"
        try:
            answers[index] = analysts[index].post(path, {"action": "start", "sample": "{}"})
        except OSError as error:  # a worker killed while holding the request
            answers[index] = (0, repr(error))

    attacks = [
        threading.Thread(target=try_run, args=(0, issue_draft)),
        threading.Thread(target=try_run, args=(1, no_loop_draft)),
    ]
    for attack in attacks:
        attack.start()
    for attack in attacks:
        attack.join(WAIT_S)

    for status, page in answers.values():
        assert status == 200, page[:500]
        # The hash guard's refusal as a rule; on a machine loaded enough that building the
        # 100,000 values takes the half second, the clock's: both end the run within budget.
        assert FLOODED in page or OUT_OF_TIME in page, page[:2000]
        assert "Traceback" not in page

    # Both workers are alive and serving: more requests than workers, each answered.
    for analyst in analysts:
        assert analyst.get("/healthz")[0] == 200
        status, page = analyst.get(f"/processes/drafts/{no_loop_draft}/try")
        assert status == 200 and "Пробный запуск" in page
    assert "WORKER TIMEOUT" not in server.output()
