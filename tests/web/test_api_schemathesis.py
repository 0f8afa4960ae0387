"""The API's OpenAPI document and the server agree: schemathesis, run as in CI against the live
app (a real HTTP server on loopback, the test database behind it), through its examples,
coverage, fuzzing and stateful (links) phases, finds no 5xx, no undocumented status, no answer
off its schema and no content type the document does not name; and it sees the server refuse
what the document says is invalid (negative_data_rejection).

Bounded to a fixed number of cases per operation and a fixed seed, so a CI run takes about a
minute and a failure reproduces."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from werkzeug.serving import make_server

from tests.web.api_support import issue_key
from web.extensions import db

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
PHASES = "examples,coverage,fuzzing,stateful"
MAX_EXAMPLES = 60
SEED = 14


@pytest.fixture
def live_server(app):
    """The app behind a real HTTP server on a free loopback port, for as long as the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def catalogue(make_building, make_premise):
    """A building with premises free to book, so that lists, cards and bookings succeed too."""
    building = make_building(name="Корпус 1")
    for number in range(1, 6):
        make_premise(building, number=str(number), floor=number)
    db.session.commit()


def test_schemathesis_finds_the_api_and_its_schema_in_agreement(live_server, catalogue, tmp_path):
    _, raw_key = issue_key("schemathesis")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{live_server}/api/v1/openapi.json",
        "--phases",
        PHASES,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {raw_key}",
        "--report-dir",
        str(tmp_path),
        "--no-color",
    ]

    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)

    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
