"""Run every benchmark in this package: each module ``bench/<name>.py`` that defines ``main()``.

``python -m bench`` runs them all; ``python -m bench plan_pass`` only the ones named.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def run(names: list[str]) -> None:
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or (names and info.name not in names):
            continue
        module = importlib.import_module(f"{bench.__name__}.{info.name}")
        main = getattr(module, "main", None)
        if callable(main):
            print(f"\n== bench.{info.name} ==", flush=True)
            main()


if __name__ == "__main__":
    run(sys.argv[1:])
