"""Wall-clock and CPU time of CLI start-up: `main.py --help` and `main.py kb ask …`.

Prints the median of N runs of each command in a fresh interpreter (what a person at the
terminal waits for). Run from the checkout root:

    .venv/bin/python bench/cli_startup.py [--runs 5] [--database sqlite:////tmp/x.db]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "main.py --help": ["--help"],
    "main.py kb --help": ["kb", "--help"],
    "main.py kb ask 公积金怎么提取": ["kb", "ask", "公积金怎么提取"],
    "main.py report --help": ["report", "--help"],
}


def run_once(args: list[str], env: dict[str, str], root: Path = ROOT) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "main.py", *args], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="checkout to time (another branch, for a before/after)"
    )
    parser.add_argument(
        "--database", default=None, help="HOTLINE_DATABASE_URL for kb ask (default: a temp file)"
    )
    options = parser.parse_args()
    env = dict(os.environ)
    env["HOTLINE_DATABASE_URL"] = options.database or f"sqlite:///{ROOT / '.bench-cli.db'}"
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(f"{'command':34} {'median wall s':>14} {'median cpu s':>13}")
    for label, args in COMMANDS.items():
        run_once(args, env, options.root)  # warm the file cache and create the database once
        samples = [run_once(args, env, options.root) for _ in range(options.runs)]
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        print(f"{label:34} {wall:14.2f} {cpu:13.2f}")
    Path(ROOT / ".bench-cli.db").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
