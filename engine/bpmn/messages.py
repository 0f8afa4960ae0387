"""What SpiffWorkflow's parser and libxml say in English about a diagram, said in Russian with
what to do. A message with no translation is never shown as it is: the analyst gets a Russian
sentence naming the element (or the line) instead.
"""

from __future__ import annotations

import re

TIMER_FIX = (
    "укажите длительность (PT4H), дату (2026-12-01T10:00:00+03:00) или повтор (R3/PT1H) "
    "ISO 8601, либо выражение на Python"
)
# (pattern of the English message, Russian message; {0}, {1}… are the pattern's groups)
PARSER_MESSAGES: list[tuple[str, str]] = [
    (
        r"A Service Task must have an operator",
        "Сервисная задача не называет действие: выберите его в группе «Действие»",
    ),
    (
        r"Non-default exclusive outgoing sequence flow without condition",
        "У перехода из шлюза нет условия, и он не выбран переходом по умолчанию",
    ),
    (r"Invalid Script Task\.\s+No Script Provided", "У задачи-скрипта нет скрипта: впишите его"),
    (r"No start event found", "В процессе нет начального события: добавьте его"),
    (
        r"Conditional event definition with missing condition",
        "У условного события нет условия: впишите его на Python",
    ),
    (
        r"A SubWorkflow Must contain an End event",
        "В подпроцессе нет конечного события: добавьте его",
    ),
    (r"Message identifier is missing", "У события не выбрано сообщение: выберите его"),
    (r"Could not find messageRef", "У события не выбрано сообщение: выберите его"),
    (r"Error identifier is missing", "У события не выбрана ошибка: выберите её"),
    (r"Signal identifier is missing", "У события не выбран сигнал: выберите его"),
    (r"Escalation identifier is missing", "У события не выбрана эскалация: выберите её"),
    (r"Unknown Time Specification", "Таймер не задан: " + TIMER_FIX),
    (r"Time Specification Error", "Таймер задан неверно: " + TIMER_FIX),
    (
        r"Exactly one start event is required in a SubWorkflow Task; found (\d+)",
        "В подпроцессе должно быть ровно одно начальное событие, а найдено {0}: оставьте одно",
    ),
    (
        r"Multiple outgoing flows are not supported",
        "Из задачи выходит несколько переходов: поставьте после неё шлюз (развилку) и ведите "
        "переходы из шлюза",
    ),
    (
        r"Cannot resolve data(Input|Output)Association",
        "Связь с данными ведёт не к объекту данных процесса (например, к хранилищу данных, "
        "которого движок не знает): свяжите задачу с объектом данных (dataObjectReference) "
        "или удалите связь",
    ),
    (
        r"A loopMaximum or loopCondition must be specified",
        "У повторяемой задачи не задано ни условие повтора, ни наибольшее число повторов: "
        "задайте одно из них",
    ),
    (
        r"A multiinstance task must specify a cardinality or a",
        "У многоэкземплярной задачи не задано ни число экземпляров (loopCardinality), "
        "ни коллекция (loopDataInputRef): задайте одно из них",
    ),
    (
        r"A multiinstance task must specify exactly one of",
        "У многоэкземплярной задачи задано и число экземпляров, и коллекция: оставьте одно",
    ),
    (
        r"The loop (input|output) data reference is missing",
        "Коллекция многоэкземплярной задачи не объявлена среди её входов и выходов "
        "(ioSpecification): объявите её там или удалите ioSpecification",
    ),
    (
        r"Cancel Events may only be used with transactions",
        "Событие отмены допустимо только на подпроцессе-транзакции: уберите его или сделайте "
        "подпроцесс транзакцией",
    ),
    (
        r"When looking for a task spec",
        "Переход ведёт к элементу, которого нет в процессе: перенаправьте или удалите переход",
    ),
    (
        r"There is no support implemented for this task type",
        "Такой элемент движок не выполняет: замените его задачей, шлюзом или событием",
    ),
    (
        r"Process (\S+) is not executable",
        "Процесс «{0}» не отмечен как исполняемый: включите «Исполняемый» (isExecutable) "
        "в свойствах процесса",
    ),
    (r"Duplicate process ID: (\S+)", "Процесс «{0}» описан в файле дважды: оставьте один"),
    (
        r"The process '([^']*)' was not found",
        "Вызываемый процесс «{0}» не найден: положите его в тот же файл или исправьте "
        "вызываемый процесс (calledElement)",
    ),
    (
        r"Sequential ordering for ad hoc subprocesses",
        "Последовательный порядок в ad hoc подпроцессе не поддерживается: выберите параллельный",
    ),
    (
        r"Ad hoc subprocesses may not contain start or end events",
        "В ad hoc подпроцессе не должно быть начальных и конечных событий: удалите их",
    ),
    (
        r"Data Store",
        "Хранилище данных (dataStore) движок не поддерживает: используйте данные задачи",
    ),
    (
        r"Expected an? (Message|Signal|Error|Escalation) node",
        "Событие ссылается на определение, которого нет в файле: выберите его заново",
    ),
    (
        r"raise_validation_exception\(\) got an unexpected keyword argument",
        "Событие ссылается на сообщение, сигнал, ошибку или эскалацию, которых нет в файле: "
        "выберите их заново",
    ),
    (
        r'No "calledElement" attribute',
        "У вызова процесса не выбран вызываемый процесс (calledElement): выберите его",
    ),
    (
        r"No DMN Diagram available",
        "Таблица решений (DMN) для задачи-правила не найдена: выберите таблицу или замените задачу",
    ),
    (r"RecursionError|maximum recursion depth", "RECURSION"),
]
_COMPILED = [(re.compile(pattern), russian) for pattern, russian in PARSER_MESSAGES]

LONG_CHAIN = (
    "Цепочка шагов без шлюзов слишком длинная, или переход возвращается в задачу без шлюза: "
    "вынесите часть шагов в подпроцесс (callActivity) или замкните цикл через шлюз"
)
UNKNOWN = (
    "Элемент не удалось разобрать: проверьте его настройки и переходы, или удалите "
    "и нарисуйте его заново"
)


def parser_message(text: str) -> str:
    """The Russian for one of the parser's messages (never the English itself)."""
    for pattern, russian in _COMPILED:
        found = pattern.search(text)
        if found:
            return LONG_CHAIN if russian == "RECURSION" else russian.format(*found.groups())
    return UNKNOWN


# libxml's schema messages: "Element '{ns}tag', attribute 'x': …" / "Element '{ns}tag': …"
_XSD_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '([^']+)')?: (.*)")


_OPTIONAL_CHILDREN = frozenset({"documentation", "extensionElements"})


def schema_message(text: str, line: int | None) -> str:
    """The Russian for an XSD refusal of libxml."""
    where = f" (строка {line})" if line else ""
    found = _XSD_ELEMENT.match(text.strip())
    if found is None:
        return (
            f"Файл не соответствует схеме BPMN 2.0{where}: откройте его в редакторе "
            "и сохраните заново"
        )
    tag, attribute, detail = found.groups()
    if attribute:
        if "is not allowed" in detail:
            return f"У элемента «{tag}» недопустимый атрибут «{attribute}»{where}: удалите его"
        return (
            f"Недопустимое значение атрибута «{attribute}» у элемента «{tag}»{where}: "
            "исправьте его (идентификатор начинается с буквы, без пробелов)"
        )
    if "Missing child element" in detail:
        wanted = [n for n in re.findall(r"\}(\w+)", detail) if n not in _OPTIONAL_CHILDREN]
        missing = ", ".join(f"«{name}»" for name in wanted) or "обязательного вложенного элемента"
        return f"В элементе «{tag}» не хватает {missing}{where}: добавьте его"
    if "not expected" in detail:
        return (
            f"Элемент «{tag}» здесь не допускается схемой BPMN 2.0{where}: удалите его "
            "или перенесите в нужное место"
        )
    return f"Элемент «{tag}» не соответствует схеме BPMN 2.0{where}: исправьте или удалите его"


def xml_syntax_message(line: int | None) -> str:
    where = f" (ошибка в строке {line})" if line else ""
    return (
        f"Файл не является корректным XML{where}: он оборван или испорчен. "
        "Сохраните диаграмму заново в редакторе и загрузите ещё раз"
    )
