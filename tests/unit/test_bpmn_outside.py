"""Diagrams from other tools (Camunda Modeler, hand-written files): what the check accepts runs,
and what the runtime would refuse the check refuses first, in Russian, naming the element."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.bpmn import juel
from engine.bpmn.validation import check_xml

ROOT = Path(__file__).parents[2]
RESERVATION = (ROOT / "processes" / "reservation.bpmn").read_text("utf-8")
EXPIRY_TIMER = '<bpmn:timeDate>terms["expires_at"]</bpmn:timeDate>'


def problems_of(xml: str) -> list[str]:
    return [str(p) for p in check_xml(xml)]


@pytest.mark.parametrize(
    "timer",
    [
        "<bpmn:timeDuration>PT4H</bpmn:timeDuration>",
        "<bpmn:timeDuration> P1DT12H </bpmn:timeDuration>",
        "<bpmn:timeDate>2026-12-01T10:00:00+03:00</bpmn:timeDate>",
    ],
)
def test_an_unquoted_iso_timer_as_camunda_writes_it_passes(timer):
    assert problems_of(RESERVATION.replace(EXPIRY_TIMER, timer)) == []


TIMERS = ROOT / "tests" / "processes" / "data" / "outside" / "timers_unquoted.bpmn"
REMINDER_CYCLE = '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R2/PT1H</bpmn:timeCycle>'


@pytest.mark.parametrize("cycle", ["R3/PT1H", '"R3/PT1H"', "R/PT15M"])
def test_a_cycle_on_a_non_interrupting_boundary_event_passes(cycle):
    xml = TIMERS.read_text("utf-8").replace(
        REMINDER_CYCLE, f"<bpmn:timeCycle>{cycle}</bpmn:timeCycle>"
    )
    assert problems_of(xml) == []


def test_a_cycle_where_it_would_rerun_the_process_is_refused():
    xml = TIMERS.read_text("utf-8")
    interrupting = xml.replace('cancelActivity="false" ', "")
    [problem] = problems_of(interrupting)
    assert problem.startswith("remind «Напоминать каждый час»: Повтор (timeCycle) здесь")
    assert "поставьте повтор на непрерывающее граничное событие" in problem
    intermediate = xml.replace(">PT4H<", ">R2/PT4H<").replace("timeDuration", "timeCycle")
    [problem] = problems_of(intermediate)
    assert problem.startswith("wait_four_hours «Подождать 4 часа»: Повтор (timeCycle) здесь")


@pytest.mark.parametrize(
    ("timer", "shown"),
    [
        ("<bpmn:timeDuration>P1W2D</bpmn:timeDuration>", "«P1W2D» не разбирается"),
        ('<bpmn:timeDate>"PT4H"</bpmn:timeDate>', "«PT4H» не разбирается: нужны дата и время"),
        ("<bpmn:timeCycle>R3/каждый</bpmn:timeCycle>", "«R3/каждый» не разбирается"),
        ("<bpmn:timeDuration/>", "Таймер не задан: нужна длительность ISO 8601"),
        ("<bpmn:timeDate>  </bpmn:timeDate>", "Таймер не задан: нужны дата и время"),
    ],
)
def test_a_timer_the_runtime_would_not_parse_is_refused_at_its_event(timer, shown):
    [problem] = problems_of(RESERVATION.replace(EXPIRY_TIMER, timer))
    assert problem.startswith("expire_timer «Срок истёк»: ")
    assert shown in problem


OUTSIDE = ROOT / "tests" / "processes" / "data" / "outside"
ENGLISH = re.compile(r"\b(the|is|not|are|of|an?|must|found|Error|Exception|Traceback)\b", re.I)
REFUSED = {
    "broken_xml": ("—", "не является корректным XML (ошибка в строке 5)"),
    "xsd_bogus": ("prepare «Подготовить»", "Элемент «bogus» здесь не допускается схемой"),
    "empty_timer": ("wait «Подождать»", "Таймер не задан: укажите длительность (PT4H)"),
    "multiple_outgoing": ("prepare «Подготовить»", "поставьте после неё шлюз"),
    "subprocess_two_starts": ("collect «Собрать документы»", "ровно одно начальное событие"),
    "data_store_output": ("archive_it «Сдать в архив»", "ведёт не к объекту данных процесса"),
    "long_chain": ("step_", "вынесите часть шагов в подпроцесс"),
    "groovy_script": ("note_ready «Отметить готовность»", "Скрипт на «groovy» движок не выполнит"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refusal_of_an_outside_diagram_is_russian_names_the_element_and_says_what_to_do(name):
    where, says = REFUSED[name]
    [problem] = problems_of((OUTSIDE / f"{name}.bpmn").read_text("utf-8"))
    assert problem.startswith(where)
    assert says in problem
    assert not ENGLISH.search(problem.partition(": ")[2])


def test_start_and_end_ids_are_refused_by_name_not_blamed_on_a_lane():
    found = problems_of((OUTSIDE / "start_end_ids.bpmn").read_text("utf-8"))
    assert found == [
        "Start: Идентификатор «Start» занят движком (так называются его служебные шаги): "
        "переименуйте элемент, например в «start_event»",
        "End: Идентификатор «End» занят движком (так называются его служебные шаги): "
        "переименуйте элемент, например в «end_event»",
    ]


def test_camel_case_form_field_ids_are_accepted():
    assert problems_of((OUTSIDE / "camel_case_form.bpmn").read_text("utf-8")) == []


def test_a_form_field_named_like_a_python_word_is_refused():
    xml = (OUTSIDE / "camel_case_form.bpmn").read_text("utf-8").replace("invoiceAmount", "class")
    [problem] = problems_of(xml)
    assert problem.startswith("enter_invoice «Внести счёт»: Поле формы «class»")
    assert "переименуйте поле" in problem


def test_a_conditional_event_condition_goes_through_the_sandbox():
    xml = (OUTSIDE / "conditional_event.bpmn").read_text("utf-8")
    xml = xml.replace("documents_ready and amount &gt; 1000", "().__class__.__base__")
    found = problems_of(xml)
    assert found and all(p.startswith("wait_documents «Документы готовы»") for p in found)


def test_loop_and_multi_instance_expressions_go_through_the_sandbox():
    xml = (OUTSIDE / "loops.bpmn").read_text("utf-8").replace("not agreed", "${!agreed}")
    found = problems_of(xml)
    assert found and all(p.startswith("call_client «Позвонить клиенту»") for p in found)
    xml = (OUTSIDE / "mi_parallel_service_cardinality.bpmn").read_text("utf-8")
    found = problems_of(xml.replace(">3<", ">open('/etc/passwd')<"))
    assert found and all(p.startswith("ask_banks «Запросить банк»") for p in found)


def test_a_condition_in_another_language_is_refused():
    xml = (OUTSIDE / "conditional_event.bpmn").read_text("utf-8")
    xml = xml.replace('xsi:type="bpmn:tFormalExpression">', 'language="javascript">')
    [problem] = problems_of(xml)
    assert problem.startswith("wait_documents «Документы готовы»: Выражение на «javascript»")
    assert "уберите у него язык" in problem


def test_a_juel_expression_is_named_with_its_python_translation_by_the_check():
    found = problems_of((OUTSIDE / "juel.bpmn").read_text("utf-8"))
    assert found[0] == (
        "f_big «больше 1000»: Выражение «${amount > 1000 && !blocked}» написано на JUEL "
        "(Camunda), а движок понимает Python: замените его на «amount > 1000 and not blocked»"
    )
    assert found[2].startswith("f_documents «документы есть»: Выражение «${not empty documents}»")
    assert "перепишите его на Python" in found[2]


@pytest.mark.parametrize(
    ("text", "python"),
    [
        ("${approved}", "approved"),
        ("${amount >= 1000 && amount < 5000}", "amount >= 1000 and amount < 5000"),
        ("${!(a || b)}", "not (a or b)"),
        ('${kind == "premium"}', 'kind == "premium"'),
        ("${a ge 3 and b ne null}", "a >= 3 and b != None"),
        ("${price * 2 > limit}", "price * 2 > limit"),
        ("#{urgent}", "urgent"),
    ],
)
def test_simple_juel_forms_translate_to_python(text, python):
    assert juel.translate(text) == python


@pytest.mark.parametrize(
    "text",
    ["${empty documents}", "${client.name}", "${execution.getVariable('a')}", "${class}", "${}"],
)
def test_juel_that_needs_a_person_is_not_translated(text):
    assert juel.translate(text) is None


def test_a_camunda_collection_that_is_not_a_variable_name_is_refused_at_its_task():
    xml = (OUTSIDE / "mi_camunda_collection.bpmn").read_text("utf-8")
    [problem] = problems_of(
        xml.replace('camunda:collection="${banks}"', 'camunda:collection="${client.banks}"')
    )
    assert problem.startswith("enter_decision «Внести решение банка»: Коллекция «${client.banks}»")
    assert "укажите имя переменной со списком" in problem


def test_a_multi_instance_task_collecting_what_its_instances_never_set_is_refused():
    xml = (OUTSIDE / "mi_parallel_user.bpmn").read_text("utf-8")
    [problem] = problems_of(
        xml.replace('id="answer" label="Ответ банка"', 'id="reply" label="Ответ"')
    )
    assert problem == (
        "ask_bank «Получить ответ банка»: Задача собирает «answer» каждого экземпляра в "
        "«answers», но экземпляр «answer» не задаёт: добавьте в форму поле «answer» или "
        "соберите другое поле"
    )
    xml = (OUTSIDE / "mi_sequential.bpmn").read_text("utf-8")
    found = problems_of(xml.replace('resultVariable="reply"', 'resultVariable="result"'))
    assert (
        "ask_banks «Запросить банк»: Задача собирает «reply» каждого экземпляра в «replies», "
        "но экземпляр «reply» не задаёт: назовите результат действия «reply» или соберите "
        "результат действия"
    ) in found


def test_a_cycle_on_a_start_event_is_refused_as_a_schedule_the_engine_does_not_keep():
    xml = (OUTSIDE / "conditional_event.bpmn").read_text("utf-8")
    xml = xml.replace(
        '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>',
        '<bpmn:startEvent id="start" name="Каждый понедельник"><bpmn:outgoing>f1</bpmn:outgoing>'
        '<bpmn:timerEventDefinition id="weekly"><bpmn:timeCycle>R/P1W</bpmn:timeCycle>'
        "</bpmn:timerEventDefinition></bpmn:startEvent>",
    )
    [problem] = problems_of(xml)
    assert problem.startswith("start «Каждый понедельник»: Повтор (timeCycle) на начальном")
    assert "Уберите таймер с начального события" in problem


WAIT = re.compile(r"<bpmn:intermediateCatchEvent.*?</bpmn:intermediateCatchEvent>", re.S)
FLOWS = "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"


def with_node(node: str) -> str:
    """The conditional-event diagram with its waiting event replaced by `node`."""
    xml = (OUTSIDE / "conditional_event.bpmn").read_text("utf-8")
    xml = xml.replace("xmlns:xsi=", 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi=')
    xml = xml.replace('Ref="wait_documents"', 'Ref="n"')
    return WAIT.sub(lambda _: node.replace("FLOWS", FLOWS), xml)


@pytest.mark.parametrize(
    ("node", "says"),
    [
        (
            '<bpmn:intermediateCatchEvent id="n" name="Ждать">FLOWS'
            '<bpmn:messageEventDefinition id="d"/></bpmn:intermediateCatchEvent>',
            "n «Ждать»: У события не выбрано сообщение: выберите его",
        ),
        (
            '<bpmn:intermediateCatchEvent id="n" name="Ждать">FLOWS'
            '<bpmn:signalEventDefinition id="d" signalRef="nowhere"/>'
            "</bpmn:intermediateCatchEvent>",
            "n «Ждать»: У события не выбран сигнал: выберите его",
        ),
        (
            '<bpmn:receiveTask id="n" name="Получить" messageRef="nowhere">FLOWS'
            "</bpmn:receiveTask>",
            "n «Получить»: У задачи получения не выбрано сообщение: выберите его",
        ),
        (
            '<bpmn:intermediateCatchEvent id="n" name="Ждать">FLOWS<bpmn:conditionalEventDefinition'
            ' id="d"><bpmn:condition/></bpmn:conditionalEventDefinition>'
            "</bpmn:intermediateCatchEvent>",
            "n «Ждать»: Выражение пустое: впишите его на Python или удалите",
        ),
        (
            '<bpmn:intermediateCatchEvent id="n" name="Ждать">FLOWS'
            '<bpmn:conditionalEventDefinition id="d"/></bpmn:intermediateCatchEvent>',
            "n «Ждать»: В элементе «conditionalEventDefinition» не хватает «condition» (строка ",
        ),
        (
            '<bpmn:callActivity id="n" name="Вызов">FLOWS</bpmn:callActivity>',
            "n «Вызов»: У вызова процесса не выбран вызываемый процесс (calledElement)",
        ),
        (
            '<bpmn:callActivity id="n" name="Вызов" calledElement="nowhere">FLOWS'
            "</bpmn:callActivity>",
            "n «Вызов»: Вызываемый процесс «nowhere» не найден",
        ),
        (
            '<bpmn:businessRuleTask id="n" name="Скидки" camunda:decisionRef="discounts">FLOWS'
            "</bpmn:businessRuleTask>",
            "n «Скидки»: Таблица решений (DMN) для задачи-правила не найдена",
        ),
    ],
)
def test_an_outside_element_the_engine_cannot_run_is_refused_in_russian_at_it(node, says):
    [problem] = problems_of(with_node(node))
    assert problem.startswith(says)
    assert not ENGLISH.search(re.sub(r"«[^»]*»", "", problem.partition(": ")[2]))
