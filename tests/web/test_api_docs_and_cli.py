"""API v1: the OpenAPI document and `flask --app web api-keys create|list|revoke`."""

from __future__ import annotations

import re

from sqlalchemy import select

from models.users.api_key import ApiKey, hash_key
from tests.web.api_support import bearer
from web.extensions import db

DOCUMENT = "/api/v1/openapi.json"


# ---------------------------------------------------------------- OpenAPI


def test_the_openapi_document_is_public(client):
    response = client.get(DOCUMENT)

    assert response.status_code == 200
    assert response.json["openapi"] == "3.1.0"
    assert response.json["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Authorization: Bearer <ключ API>",
    }


def test_every_route_of_the_blueprint_is_in_the_document(app, client):
    paths = client.get(DOCUMENT).json["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_every_operation_declares_its_errors_in_the_one_error_shape(client):
    document = client.get(DOCUMENT).json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in re.findall(r"{(\w+)}", path):
                assert parameter in {p["name"] for p in operation["parameters"]}, path
            if operation.get("security") == []:
                continue
            assert "401" in operation["responses"], f"{method} {path}"
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path}"


def test_every_reference_in_the_document_resolves(client):
    document = client.get(DOCUMENT).json
    references = list(_references(document))
    assert len(references) > 10
    for reference in references:
        node = document
        for part in reference.removeprefix("#/").split("/"):
            node = node[part]


def _references(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


# ---------------------------------------------------------------- CLI


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["api-keys", *args])


def test_a_key_is_shown_once_and_only_its_hash_is_stored(app, client):
    result = run(app, "create", "Сайт ЖК")

    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert raw.startswith("sk_") and len(raw) > 40
    key = db.session.scalars(select(ApiKey)).one()
    assert (key.name, key.key_hash, key.prefix) == ("Сайт ЖК", hash_key(raw), raw[:10])
    assert raw not in {key.key_hash, key.prefix}
    assert client.get("/api/v1/premises", headers=bearer(raw)).status_code == 200


def test_a_key_name_is_taken_once(app):
    run(app, "create", "site")

    result = run(app, "create", "site")

    assert result.exit_code == 1
    assert "уже есть" in result.output
    assert db.session.query(ApiKey).count() == 1


def test_keys_are_listed_without_the_keys_themselves(app, client):
    raw = run(app, "create", "site").output.strip().splitlines()[-1]
    run(app, "create", "partner")
    client.get("/api/v1/premises", headers=bearer(raw))

    result = run(app, "list")

    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["partner", "site"]
    assert raw not in result.output
    assert "использован никогда" in lines[0] and "использован никогда" not in lines[1]
    assert all(line.endswith("действует") for line in lines)


def test_a_revoked_key_stops_working(app, client):
    raw = run(app, "create", "site").output.strip().splitlines()[-1]

    result = run(app, "revoke", "site")

    assert result.exit_code == 0
    assert client.get("/api/v1/premises", headers=bearer(raw)).status_code == 401
    assert "отозван" in run(app, "list").output
    assert run(app, "revoke", "site").exit_code == 1
    assert run(app, "revoke", "nobody").exit_code == 1
