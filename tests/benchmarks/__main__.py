"""`python -m tests.benchmarks`: run each `bench_*.py` module's `main()` in name order.

A benchmark that crashes is reported and the others still run; the exit code is then 1.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path


def benchmark_names() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(
        info.name for info in pkgutil.iter_modules([str(folder)]) if info.name.startswith("bench_")
    )


def main() -> int:
    failed = []
    for name in benchmark_names():
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"{__package__}.{name}")
            module.main()
        except Exception:  # noqa: BLE001 - report and go on with the next benchmark
            traceback.print_exc()
            failed.append(name)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
