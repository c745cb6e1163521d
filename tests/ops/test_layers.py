"""The layers hold: the import contracts in pyproject.toml pass on the tree, and a module that reaches
across a layer makes them fail (so CI, which runs ``make lint``, fails).

The violations are added to a copy of the packages in a temporary folder, never to the tree itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "storage", "scheduler", "handlers", "mentorbot")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts of ``folder/pyproject.toml`` over the packages in ``folder``."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_tree_keeps_every_layer_contract() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout
    assert "KEPT" in done.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    assert lint_imports(folder).returncode == 0  # the copy keeps them before anything is added
    return folder


# (where the offending module goes, what it imports, the contract that catches it)
VIOLATIONS = [
    ("bot/_reach.py", "from storage import tables", "Layers"),
    ("bot/_reach.py", "import sqlalchemy", "bot imports no platform"),
    ("storage/_reach.py", "from scheduler import planner", "Layers"),
    ("storage/_reach.py", "import mentorbot.wiring", "Layers"),
    ("scheduler/_reach.py", "from storage import scheduling", "Layers"),
    ("scheduler/_reach.py", "from sqlalchemy.orm import Session", "scheduler reaches the database only"),
    ("scheduler/_reach.py", "from handlers.console import render", "Layers"),
    ("handlers/slack/_reach.py", "from storage.uow import SqlUnitOfWorkFactory", "Layers"),
    ("handlers/teams/_reach.py", "from scheduler import dispatch", "Layers"),
    ("handlers/slack/_reach.py", "from mentorbot.metrics import Metrics", "Layers"),
    ("handlers/teams/_reach.py", "from handlers.slack import render", "each chat channel stands alone"),
    ("handlers/console/_reach.py", "import sqlalchemy", "chat channels use no database library"),
]


@pytest.mark.parametrize(("where", "statement", "contract"), VIOLATIONS)
def test_reaching_across_a_layer_breaks_a_contract(
    copy: Path, where: str, statement: str, contract: str
) -> None:
    offender = copy / where
    offender.write_text(f"{statement}\n", encoding="utf-8")
    try:
        done = lint_imports(copy)
    finally:
        offender.unlink()
    assert done.returncode != 0
    assert "Broken contracts" in done.stdout, done.stdout
    broken = done.stdout.split("Broken contracts", 1)[1]
    assert f"\n{contract}" in broken, broken  # the contract's heading
    assert where.removesuffix(".py").replace("/", ".") in broken  # and the offending import under it
