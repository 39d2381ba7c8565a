"""Where `compliance` and `timeline` spend their CPU time: the facts' production (the SQL rows
and the sweep, ``domain.rules.sweep.facts_over``) and the rules' evaluation (``runs``), apart.
A profiling aid, not a benchmark (bench/run.py times the installed CLI end to end): the command
runs in-process, the facts are gathered into a list first, then ``runs()`` is timed over them
(best of ``--repeat``).

    SCOP_LEDGER_DB=sqlite:////tmp/copy.db .venv/bin/python bench/rules_split.py --repeat 5 \\
        compliance --as-of 2032-12-31 --format json > /dev/null
"""

from __future__ import annotations

import sys
import time
from typing import Any


def main(argv: list[str]) -> None:
    repeat = 1
    if argv[:1] == ["--repeat"]:
        repeat, argv = int(argv[1]), argv[2:]
    from scop_ledger.cli.main import main as cli
    from scop_ledger.domain.rules import sweep

    runs = sweep.runs

    def timed(params: Any, facts: Any, until: Any, since: Any = None) -> Any:
        start = time.process_time()
        facts = list(facts)
        produced = time.process_time() - start
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            found = runs(params, facts, until, since)
            best = min(best, time.process_time() - start)
        print(
            f"{len(facts)} dates: facts {produced:.3f} s CPU, runs() {best:.3f} s CPU"
            f" (best of {repeat})",
            file=sys.stderr,
        )
        return found

    sweep.runs = timed  # type: ignore[assignment]
    try:
        cli(argv, standalone_mode=False)
    finally:
        print(f"process: {time.process_time():.3f} s CPU", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
