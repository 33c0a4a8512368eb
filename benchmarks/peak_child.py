"""`python -m benchmarks.peak_child OUT MODULE [ARGS…]`: run `python -m MODULE ARGS…` in this
process and, when it ends, write this process's peak RSS (VmHWM, KiB) to the file OUT.

Why: a child's ru_maxrss on Linux starts from its parent's RSS at fork time, so a small child of
a large benchmark process would report the parent's size. VmHWM is reset by exec.
"""

from __future__ import annotations

import runpy
import sys


def _peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        with open(out, "w") as fh:
            fh.write(f"{_peak_kib()}\n")


if __name__ == "__main__":
    main()
