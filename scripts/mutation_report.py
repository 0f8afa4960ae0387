"""Kill rate of `make mutate`, per module and overall, from mutmut's results in mutants/.

A mutant counts as killed when a test failed, timed out or the mutant broke the import; it
survives when the tests passed or no test reached it. Usage: python scripts/mutation_report.py
[--survivors]  (the second form also lists the surviving mutants' names for `mutmut show`).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

MUTANTS = Path("mutants")
KILLED = {1, 3, 24, 36, 37, 152, 255, -24}  # failed, pytest error, timeout, type check
SURVIVED = {0, 5, 33}  # passed, or no test reached it
NOT_RUN = {None, 2, 34}  # not checked yet, interrupted, skipped


def results() -> dict[str, dict[str, int | None]]:
    found = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        found[module] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    return found


def tally(codes) -> Counter:
    counts = Counter()
    for code in codes:
        kind = "killed" if code in KILLED else "survived" if code in SURVIVED else "not run"
        counts[kind] += 1
    return counts


def rate(counts: Counter) -> str:
    checked = counts["killed"] + counts["survived"]
    return f"{100 * counts['killed'] / checked:5.1f} %" if checked else "    —"


def main(show_survivors: bool) -> int:
    found = results()
    if not found:
        print("no results: run `make mutate` first")
        return 1
    overall = Counter()
    print(f"{'module':58} {'killed':>7} {'survived':>8} {'not run':>7} {'rate':>7}")
    for module, by_key in found.items():
        counts = tally(by_key.values())
        overall += counts
        if by_key:
            print(
                f"{module:58} {counts['killed']:7} {counts['survived']:8} "
                f"{counts['not run']:7} {rate(counts):>7}"
            )
    print(
        f"{'overall':58} {overall['killed']:7} {overall['survived']:8} "
        f"{overall['not run']:7} {rate(overall):>7}"
    )
    if show_survivors:
        for by_key in found.values():
            for name, code in sorted(by_key.items()):
                if code in SURVIVED:
                    print(name, "(no tests)" if code in (5, 33) else "")
    return 0


if __name__ == "__main__":
    sys.exit(main("--survivors" in sys.argv[1:]))
