"""python -m bench [SECTION ...] [--json FILE]

Runs every section (a module in bench/ with a `run(report)` function), or only those named, and prints
each figure beside the target it should meet. Sections: world, app, judge, then the chapters.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

ORDER = ["world", "app", "judge", "gan", "diffusion", "recognizer", "matcher"]


def sections() -> list[str]:
    here = Path(__file__).parent
    found = [m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")]
    runnable = [name for name in found if hasattr(importlib.import_module(f"bench.{name}"), "run")]
    return sorted(runnable, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def main(argv=None) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[2])
    parser.add_argument("sections", nargs="*", help=f"which sections to run (default: all of {', '.join(sections())})")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args(argv)
    chosen = args.sections or sections()
    unknown = set(chosen) - set(sections())
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    rows: list[dict] = []

    def report(name: str, value, unit: str = "", target: str = "") -> None:
        row = {"section": current, "name": name, "value": value, "unit": unit, "target": target}
        rows.append(row)
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"  {name:<58} {shown:>10} {unit:<10} {('target ' + target) if target else ''}", flush=True)

    for current in chosen:
        print(f"\n[{current}]", flush=True)
        start = time.perf_counter()
        try:
            importlib.import_module(f"bench.{current}").run(report)
        except Exception as e:  # one section failing must not hide the others' figures
            print(f"  section failed: {type(e).__name__}: {e}", flush=True)
            rows.append({"section": current, "name": "error", "value": str(e), "unit": "", "target": ""})
        print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
