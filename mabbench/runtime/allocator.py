"""Keep freed memory in the process's heap instead of handing it back (glibc).

glibc serves an allocation above its mmap threshold (128 KiB at start, adapting up to
32 MiB) with a fresh ``mmap`` and unmaps it when freed, and trims the heap's free top
above 128 KiB. A CNN's activations on an evaluation batch are tens to hundreds of MiB,
so every forward paid page faults and zeroing for memory it had just released: a VGG
forward over mnist5k's select and test rows on one thread spent 1.15 of its 2.07 s in
the kernel. With both thresholds at 256 MiB the freed blocks are reused: 1.07 s, sys
0.14 s, outputs bit-identical (no arithmetic changes; ``python -m mabbench.bench
allocator`` measures it). Not higher: 1 GiB gave 0.40-0.48x in other runs, within
the noise of this 0.49x, and a grid worker running with it kept a 3.7 GiB heap after a
GPT row's evaluation (whole splits of logits, several GiB); blocks above the threshold
go back to the kernel when freed. Process-wide and one-way: once set, it stays for
the process's life (``runtime.reuse_freed_memory``); other C libraries are a no-op.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
KEEP_BYTES = 256 << 20

_state = {"set": False}


def reuse_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds to ``KEEP_BYTES``; True when in effect
    (now or by an earlier call), False on another C library."""
    if _state["set"]:
        return True
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    _state["set"] = (libc.mallopt(M_MMAP_THRESHOLD, KEEP_BYTES) == 1
                     and libc.mallopt(M_TRIM_THRESHOLD, KEEP_BYTES) == 1)
    return _state["set"]
