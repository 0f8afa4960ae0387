"""Benchmark of reading hostile price lists: what a small upload costs before it is refused.

    python -m tests.benchmarks.bench_import_bombs

Each file is built here, then read by parse_table() (no database) in a fresh child process,
so the peak memory is the reading's own: VmHWM of /proc/self/status (ru_maxrss would carry the
builder's peak over the exec); it includes the interpreter, the imports and the file (about
90 MB here).
Cases: a zip bomb (one row of millions of cells, hundreds of MB unpacked, under 1 MB on disk),
uploads of empty formatted rows (the "20 MB file with empty rows") above and under the unpacked
size bound, a shared-strings table of millions of texts under that bound, and, for scale, an
honest 20,000-row price list.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = {
    "zip bomb: one row of 20 million cells (300 MB unpacked)": "wide",
    "2 million empty formatted rows (86 MB unpacked)": "empty",
    "800 000 empty formatted rows (35 MB unpacked, under the size bound)": "empty_under",
    "1.6 million shared texts (36 MB unpacked, under the size bound)": "strings",
    "honest price list, 20 000 rows": "honest",
}


def build(case: str) -> bytes:
    from tests.benchmarks.bench_import import price_list_xlsx
    from tests.unit.test_price_list_real_world import bomb_xlsx, empty_rows, strings_bomb_xlsx

    if case == "wide":
        cells = b"<c><v>1</v></c>" * (1024 * 1024 // 15)
        return bomb_xlsx(b'<row r="3">' if n == 0 else cells for n in range(301))
    if case == "empty":
        return bomb_xlsx(empty_rows(3, 2_000_000))
    if case == "empty_under":
        return bomb_xlsx(empty_rows(3, 800_000))
    if case == "strings":
        return strings_bomb_xlsx(1_600_000)
    return price_list_xlsx(20_000)


def peak_mb() -> int:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def measure(path: str) -> dict:
    from engine.catalog.price_list_files import parse_table

    data = Path(path).read_bytes()
    problems: list = []
    started = time.perf_counter()
    rows = parse_table(data, "bench.xlsx", problems)
    seconds = time.perf_counter() - started
    return {
        "size_kb": len(data) // 1024,
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "rows": len(rows),
        "problem": problems[0].message[:90] if problems else "",
    }


def main() -> None:
    for label, case in CASES.items():
        with tempfile.TemporaryDirectory(prefix="bench-bombs-") as folder:
            path = Path(folder) / "upload.xlsx"
            path.write_bytes(build(case))
            child = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.bench_import_bombs", str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
        if child.returncode:
            tail = (child.stderr.strip().splitlines() or ["?"])[-1]
            print(f"{label}: the reading process died ({tail})")
            continue
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{label}:")
        print(
            f"  {result['size_kb']:>7} KiB on disk  {result['seconds']:7.2f} s  "
            f"peak {result['peak_mb']:>5} MB  rows read {result['rows']}"
        )
        if result["problem"]:
            print(f"  refused: {result['problem']}…")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
    else:
        main()
