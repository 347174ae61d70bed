"""Give freed memory back to the system: glibc's allocator, set once for a whole run.

One job: fix glibc's mmap and trim thresholds at their defaults (128 KiB). Left alone, glibc raises
both each time a large block is freed (up to 32 MiB), so a run that frees big arrays keeps carving the
next ones, up to 32 MiB each, from its heap, where a freed block stays in the process. cuadra makes
and frees such arrays all along a run on millions of facts (a batch of rule instances, a slice of
bounds), and its peak RSS is what a gate or a steward's laptop pays (issue 17: 10 M facts in 4 GB).
The same remedy as Dask's documented ``MALLOC_TRIM_THRESHOLD_``, set in process so that it needs no
environment. Elsewhere (macOS, musl, Windows) nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["return_freed_memory"]

#: ``mallopt`` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: glibc's own defaults; setting them, even to these values, stops their dynamic growth.
_THRESHOLD = 128 * 1024


def return_freed_memory() -> bool:
    """Fix glibc's thresholds; ``False`` where the C library is not glibc (nothing changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl has no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, _THRESHOLD))
