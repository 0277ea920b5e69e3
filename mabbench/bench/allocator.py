"""``python -m mabbench.bench allocator [--rows 1750] [--batch 2048] [--repeats 3]``:
a VGG forward over an evaluation split on one thread, with glibc's default
allocator settings and with ``runtime.reuse_freed_memory`` (mabbench/runtime/allocator.py),
each in a fresh process (the setting is one-way per process), interleaved. Prints
wall and kernel (sys) seconds per forward, the ratio, and whether the outputs are
bit-identical.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

NAME = "allocator"
CHILD = """
import hashlib, json, resource, sys, time
import torch
from mabbench.models.vgg import VGG
from mabbench.runtime.allocator import reuse_freed_memory
rows, batch, reuse = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
torch.set_num_threads(1)
if reuse:
    reuse_freed_memory()
torch.manual_seed(0)
model = VGG(10, {"in_channels": 1, "image_size": 28}, [[32, 32], [64, 64], [128, 128]],
            [256]).eval()
x = torch.randn(rows, 1, 28, 28)
with torch.no_grad():
    out = torch.cat([model(x[i:i + batch]) for i in range(0, rows, batch)])  # warm-up
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    out = torch.cat([model(x[i:i + batch]) for i in range(0, rows, batch)])
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "sys": after.ru_stime - before.ru_stime,
                  "digest": hashlib.sha256(out.numpy().tobytes()).hexdigest()}))
"""


def _forward(rows: int, batch: int, reuse: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(rows), str(batch), str(int(reuse))],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1750)  # mnist5k's select + test
    parser.add_argument("--batch", type=int, default=2048)  # trial/curve.py's batch
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args(args)
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(options.repeats):
        for reuse in (False, True):
            runs[reuse].append(_forward(options.rows, options.batch, reuse))
    best = {reuse: min(found, key=lambda r: r["wall"]) for reuse, found in runs.items()}
    print(f"VGG forward, {options.rows} rows of 28x28, batch {options.batch}, 1 thread "
          f"(best of {options.repeats}, interleaved):")
    for reuse, label in ((False, "glibc defaults"), (True, "reuse_freed_memory")):
        print(f"  {label:<19} {best[reuse]['wall']:6.2f} s wall  {best[reuse]['sys']:6.2f} s sys")
    print(f"  ratio {best[True]['wall'] / best[False]['wall']:.2f}x of the default's wall; "
          f"outputs bit-identical: {best[True]['digest'] == best[False]['digest']}")
