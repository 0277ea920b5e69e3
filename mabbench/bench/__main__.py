"""``python -m mabbench.bench <name> [args]`` or ``all``."""
from __future__ import annotations

import sys

from mabbench.bench import discover


def main(argv: list[str]) -> int:
    benches = discover()
    if not argv or argv[0] not in (*benches, "all"):
        print(f"usage: python -m mabbench.bench {{{'|'.join(sorted(benches))}|all}} [args]",
              file=sys.stderr)
        return 2
    chosen = sorted(benches) if argv[0] == "all" else [argv[0]]
    for name in chosen:
        print(f"== {name}")
        benches[name].run(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
