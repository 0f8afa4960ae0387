"""A Camunda file with JUEL expressions is imported as a draft: the simple expressions are
translated to Python and said so, the others are listed at their elements; once fixed, the
draft publishes and runs."""

from __future__ import annotations

import json

from engine.authoring import modeler
from engine.core import runtime
from models.process.instance import ProcessStatus
from tests.factories.process import DATA

JUEL = (DATA / "outside" / "juel.bpmn").read_bytes()


def test_a_juel_file_is_imported_as_a_draft_with_each_expression_at_its_element(
    db_session, analyst
):
    draft = modeler.import_file(db_session, JUEL, "juel.bpmn", analyst)
    db_session.commit()
    assert [(p["element_id"], p["message"]) for p in draft.problems] == [
        (
            "f_big",
            "Выражение «${amount > 1000 && !blocked}» переведено с JUEL на Python: "
            "«amount > 1000 and not blocked». Проверьте, что оно означает то же",
        ),
        (
            "f_premium",
            "Выражение «${kind == 'premium' || vip eq true}» переведено с JUEL на Python: "
            "«kind == 'premium' or vip == True». Проверьте, что оно означает то же",
        ),
        (
            "f_documents",
            "Выражение «${not empty documents}» написано на JUEL (Camunda), а движок понимает "
            "Python: перепишите его на Python, например «amount > 1000 and approved»",
        ),
    ]
    assert "amount &gt; 1000 and not blocked</bpmn:conditionExpression>" in draft.bpmn_xml
    assert "${not empty documents}" in draft.bpmn_xml


def test_a_translated_draft_once_fixed_publishes_and_routes_as_the_juel_did(db_session, analyst):
    draft = modeler.import_file(db_session, JUEL, "juel.bpmn", analyst)
    fixed = draft.bpmn_xml.replace("${not empty documents}", "bool(documents)")
    assert modeler.save_draft(db_session, draft, fixed, analyst) == []
    modeler.publish_draft(db_session, draft, analyst)
    db_session.commit()

    base = {"blocked": False, "kind": "", "vip": False, "documents": []}
    routes = {}
    for case, data in {
        "big": {"amount": 5000},
        "blocked": {"amount": 5000, "blocked": True},
        "premium": {"amount": 10, "kind": "premium"},
    }.items():
        instance = runtime.start(db_session, "juel_routing", data={**base, **data})
        assert instance.status == ProcessStatus.completed
        routes[case] = json.loads(instance.serialized)["data"]["route"]
    assert routes == {"big": "big", "blocked": "small", "premium": "premium"}


def test_an_empty_condition_is_a_problem_of_the_imported_draft_not_a_refusal(db_session, analyst):
    data = JUEL.replace(b"${not empty documents}", b"")
    draft = modeler.import_file(db_session, data, "juel.bpmn", analyst)
    assert ("f_documents", "Выражение пустое: впишите его на Python или удалите") in [
        (p["element_id"], p["message"]) for p in draft.problems
    ]
