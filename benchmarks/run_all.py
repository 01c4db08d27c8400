"""Run every ``benchmarks/bench_*.py`` in its own process and echo its ``bench:`` lines.

Each benchmark prints its figures as ``bench: <name> = <value> <unit>`` (SPEC section 7).
A benchmark that fails is reported and makes the whole run exit non-zero.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "PYTHONPATH": str(here.parent)}
    failed = []
    only = sys.argv[1:]
    for script in sorted(here.glob("bench_*.py")):
        if only and not any(o in script.name for o in only):
            continue
        print(f"# {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], env=env, cwd=here.parent)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
