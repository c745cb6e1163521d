"""``mentorbot db upgrade`` works whatever characters the database URL holds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from storage.database import make_engine
from storage.migrate import is_up_to_date
from storage.migrate import upgrade


def test_a_url_with_percent_signs_migrates(tmp_path: Path) -> None:
    # a URL-encoded password (p%40ss) or query option (search_path%3D...) has "%" in it, which Alembic's
    # ini-style configuration would otherwise read as interpolation and refuse
    folder = tmp_path / "100% data"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder}/mentorbot.sqlite3")
    try:
        upgrade(engine)
        assert is_up_to_date(engine)
        assert "people" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
