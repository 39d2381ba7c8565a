"""Run a command and print its peak RSS (MB) and wall time as JSON on stderr's last line.

A launcher of its own, because Linux carries a parent's memory high-water mark into a child
across fork and exec: measured from the (large) benchmark process, every child would look big.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
print(
    json.dumps(
        {
            "seconds": time.perf_counter() - started,
            "rss_mb": usage.ru_maxrss / 1024,
            "code": os.waitstatus_to_exitcode(status),
        }
    ),
    file=sys.stderr,
)
