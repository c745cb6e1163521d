"""bot/ is the platform-neutral brain: it imports no chat SDK, web server, database or scheduler code."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "sqlalchemy", "apscheduler", "aiohttp")
BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_module_under_bot_imports_a_platform_database_or_scheduler_library() -> None:
    files = sorted(BOT_DIR.rglob("*.py"))
    assert len(files) > 10  # the walk really found the package
    offenders = {
        f"{path.relative_to(BOT_DIR.parent)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    }
    assert offenders == set()


def test_the_check_would_catch_an_offending_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from sqlalchemy.orm import Session\n    import slack_sdk.web\n")
    assert {m.split(".")[0] for m in imported_modules(sneaky)} == {"sqlalchemy", "slack_sdk"}
