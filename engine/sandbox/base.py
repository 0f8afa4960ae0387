"""Shared vocabulary of the expression sandbox: limits, problems and errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds applied to one evaluation of an expression or one run of a script.

    Units of ``max_allocation`` are elements of collections, characters of strings and
    64-bit words of integers, counted over the whole run (see ``docs/expressions.md``).
    """

    seconds: float = 0.5  # wall time of one evaluation
    max_steps: int = 1_000_000  # loop iterations, calls and guarded operations
    max_sequence: int = 1_000_000  # length of one string, list or range
    max_allocation: int = 2_000_000  # total size of everything built by one run
    max_int_bits: int = 10_000  # size of integers built by **, * and <<
    max_depth: int = 50  # nested calls (recursion)
    max_source: int = 20_000  # characters of source text
    max_nesting: int = 100  # nesting of the syntax tree
    max_format_number: int = 200  # widths and precisions in f-string format specs
    max_text_items: int = 100_000  # size of a collection converted to text
    max_pattern: int = 200  # length of strftime/strptime patterns
    max_decimal_digits: int = 100  # digits of a number given to Decimal()
    max_same_hash: int = 16  # different keys of sets and dicts sharing one hash


DEFAULT_LIMITS = Limits()


class Problem(str):
    """One reason why a source text is refused.

    It is the text shown to the analyst (``"строка 3: Импорт запрещён"``), so it can go wherever
    a message string goes; ``message`` and ``line`` give the parts.
    """

    message: str
    line: int | None

    def __new__(cls, message: str, line: int | None = None) -> Problem:
        text = message if line is None else f"строка {line}: {message}"
        problem = super().__new__(cls, text)
        problem.message = message
        problem.line = line
        return problem

    def __reduce__(self) -> tuple:
        return (Problem, (self.message, self.line))


class SandboxError(Exception):
    """An expression or script does something the sandbox refuses."""

    def __init__(
        self, message: str, line: int | None = None, problems: tuple[Problem, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.problems = problems or (Problem(message, line),)

    @classmethod
    def from_problems(cls, problems: tuple[Problem, ...]) -> SandboxError:
        first = problems[0]
        return cls(first.message, first.line, problems)


class SandboxLimitError(SandboxError):
    """A run went past one of its limits (time, steps, sizes, recursion)."""


# Names of the run-time guards injected into instrumented code. Sandboxed code cannot name
# them itself, since every name starting with "_" is refused by the static check.
GUARD_PREFIX = "_sb_"


def guard_name(kind: str) -> str:
    return f"{GUARD_PREFIX}{kind}"
