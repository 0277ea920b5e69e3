"""`python -m paper_figures [--results results/] [--out figures] [--point macs_0.5]`.

``--out`` is replaced as a whole by each run (never a mix of old and new files);
a non-empty folder is refused unless its manifest (paper_figures/manifest.py) proves it is
an earlier output holding nothing else, and a folder holding the results is never replaced."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mabbench.runtime.hash_seed import rerun_with_fixed_hash_seed
from paper_figures.inputs import DEFAULT_POINT, POINTS
from paper_figures.make_all import make_all


def development_suite() -> list[str]:
    """Every dataset conf/dev_suite.yaml names (none if the file is absent)."""
    import yaml

    from mabbench.config.location import CONF_DIR

    path = CONF_DIR / "dev_suite.yaml"
    if not path.is_file():
        return []
    suite = (yaml.safe_load(path.read_text()) or {}).get("datasets") or {}
    return sorted({name for names in suite.values() for name in names})


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m paper_figures", description=__doc__)
    parser.add_argument("--results", type=Path, default=Path("results"),
                        help="results root holding runs/ or records.parquet, or the "
                        "path of a records.parquet archive (default: results)")
    parser.add_argument("--out", type=Path, default=Path("figures"),
                        help="where tables and figures go, replaced whole (default: figures)")
    parser.add_argument("--point", choices=sorted(POINTS), default=DEFAULT_POINT,
                        help="which point of each curve enters the rank tables (the claims read "
                        "every endpoint of the claims file): "
                        + "; ".join(f"{k}: {v.about}" for k, v in POINTS.items()))
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level")
    parser.add_argument("--budget-per-arm", type=float, default=None,
                        help="bandit budget whose runs enter the rank tables and curves "
                        "(default: the most common one in the results)")
    parser.add_argument("--formats", default="png,pdf",
                        help="figure formats, comma-separated (default: png,pdf)")
    parser.add_argument("--claims-exclude", default=",".join(development_suite()),
                        help="datasets left out of every claim, comma-separated (default: "
                        "the development suite of conf/dev_suite.yaml, which chose the "
                        "protocol's defaults; '' keeps every dataset)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not 0 < args.alpha < 1:
        print(f"error: --alpha={args.alpha}: must be in (0, 1)", file=sys.stderr)
        return 2
    try:
        written = make_all(args.results, args.out, args.point, args.alpha, args.budget_per_arm,
                           tuple(f for f in args.formats.split(",") if f),
                           tuple(d for d in args.claims_exclude.split(",") if d))
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files under {args.out}")
    return 0


if __name__ == "__main__":
    rerun_with_fixed_hash_seed("paper_figures")
    sys.exit(main(sys.argv[1:]))
