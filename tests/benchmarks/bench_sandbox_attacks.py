"""Benchmark of the sandbox against hash flooding (issue 14, finding 3), and of the guard's cost.

    python -m tests.benchmarks.bench_sandbox_attacks

1. Plain CPython: `set()` of n different ints sharing one hash (k * (2**61-1)): one C call,
   quadratic. This is what held the workers.
2. The sandbox: the issue's script and a variant without a loop, refused (with the message).
3. What the guard costs ordinary code: bulk sets and dicts of distinct and repeated values, in
   the sandbox and in plain Python.
4. The longest single C calls left to an analyst (each is one step of the budget).
5. Defence in depth considered for the try-run: running it in a child process (forkserver or
   fork), per try-run, against running it in the worker.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

M = 2**61 - 1
ISSUE = "M=2**61-1\nL=[k*M for k in range(n)]\ns=set(L)"
NO_LOOP = "M=2**61-1\ns=set(range(0, n * M, M))"
PRICE_SAMPLE = {"premise_id": 5, "premise_number": "7", "current_price": "1000000.00"}


def best_ms(run, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def outcome(script: str, data: dict) -> tuple[float, str]:
    from engine.sandbox import SandboxError, evaluate, execute

    started = time.perf_counter()
    try:
        if "\n" in script or "=" in script:
            execute(script, dict(data))
        else:
            evaluate(script, data)
        said = "ran"
    except SandboxError as error:
        said = error.message
    return (time.perf_counter() - started) * 1000, said


def plain_python() -> None:
    print("1. plain CPython, set() of n different ints sharing one hash (one C call):")
    for n in (2_500, 5_000, 10_000, 20_000):
        values = [k * M for k in range(n)]
        print(f"   n = {n:>6}: {best_ms(lambda v=values: set(v), 1):9.0f} ms")
    print("   (quadratic: 100,000 would take about 25 times the 20,000 figure)")


def sandbox_attacks() -> None:
    print("2. the sandbox, refused (ms to the refusal, message):")
    for name, script, n in (
        ("issue's script", ISSUE, 10_000),
        ("issue's script", ISSUE, 40_000),
        ("issue's script", ISSUE, 100_000),
        ("no loop", NO_LOOP, 100_000),
        ("no loop", NO_LOOP, 1_000_000),
    ):
        ms, said = outcome(script, {"n": n})
        print(f"   {name:<15} n = {n:>8}: {ms:7.0f} ms  {said[:70]}")


def guard_cost() -> None:
    from engine.sandbox import SandboxError, evaluate

    print("3. ordinary bulk work, sandbox against plain Python (ms; expressions, no write-back):")
    distinct = list(range(0, 3_000_000, 3))
    random.Random(1).shuffle(distinct)
    statuses = [f"status {k % 4}" for k in range(1_000_000)]  # a million separate objects
    prices = [Decimal(f"{k % 1000}.50") for k in range(100_000)]
    cases = [
        ("set() of 1,000,000 distinct ints", "len(set(L))", distinct, set),
        ("set() of 100,000 distinct ints", "len(set(L))", distinct[:100_000], set),
        ("set() of 1,000,000 repeated texts", "len(set(L))", statuses, set),
        ("set() of 100,000 repeated Decimals", "len(set(L))", prices, set),
        ("dict.fromkeys of 100,000 ints", "len(dict.fromkeys(L))", distinct[:100_000],
         dict.fromkeys),
        ("set comprehension of 20,000 ints", "len({x for x in L})", distinct[:20_000],
         lambda v: {x for x in v}),
    ]  # fmt: skip
    for label, expression, values, plain in cases:
        try:
            sandboxed = f"{best_ms(lambda e=expression, v=values: evaluate(e, {'L': v})):7.1f}"
        except SandboxError as error:
            sandboxed = error.message[:40]
        native = best_ms(lambda p=plain, v=values: p(v))
        print(f"   {label:<36} sandbox {sandboxed:>7}   python {native:7.1f}")


def longest_steps() -> None:
    print("4. the longest single C calls left (one step each, ms):")
    values = list(range(1_000_000))
    random.Random(2).shuffle(values)
    for label, script in (
        ("sorted() of 1,000,000 shuffled ints", "len(sorted(L))"),
        ("sum() of 1,000,000 ints", "sum(L)"),
        ("max() of 1,000,000 ints", "max(L)"),
    ):
        ms, said = outcome(script, {"L": values})
        print(f"   {label:<36} {ms:7.1f}  {said[:40]}")


def _try_in_child(xml: str, sample: dict) -> dict:
    from engine import areas
    from engine.authoring import tryrun

    areas.register_all()
    return tryrun.dump(tryrun.start(xml, sample))


def child_process_cost() -> None:
    from engine import areas
    from engine.authoring import tryrun

    areas.register_all()
    xml = (ROOT / "processes" / "price_change.bpmn").read_text("utf-8")
    print("5. a try-run of price_change: in the worker against in a child process (ms, median):")
    in_worker = [best_ms(lambda: tryrun.start(xml, PRICE_SAMPLE), 1) for _ in range(10)]
    print(f"   in the worker                       {statistics.median(in_worker):7.1f}")
    for method in ("forkserver", "fork"):
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["engine.authoring.tryrun", "engine.areas"])
        times = []
        with context.Pool(1, maxtasksperchild=1) as warm:  # starts the fork server
            warm.apply(_try_in_child, (xml, PRICE_SAMPLE))
        for _ in range(10):
            started = time.perf_counter()
            process = context.Pool(1, maxtasksperchild=1)
            state = process.apply(_try_in_child, (xml, PRICE_SAMPLE))
            process.close()
            process.join()
            tryrun.restore(state)
            times.append((time.perf_counter() - started) * 1000)
        print(f"   child by {method:<11} + restore       {statistics.median(times):7.1f}")


def main() -> None:
    plain_python()
    sandbox_attacks()
    guard_cost()
    longest_steps()
    child_process_cost()


if __name__ == "__main__":
    main()
