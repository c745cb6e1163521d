"""``mentorbot teams package``: the zip an admin uploads to Teams, checked against Microsoft's published
manifest schema (v1.29, kept beside the project in ../shared/schemas, never copied into it)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from PIL import Image

from bot.programme import ProgrammeConfig
from bot.workflows import build_router
from handlers.teams.package import PLACEHOLDER_ID
from handlers.teams.package import PackageOptions
from handlers.teams.package import build_package
from mentorbot.cli import main

SCHEMA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "MicrosoftTeams.schema.v1.29.json"
)
APP_ID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    if not SCHEMA.exists():
        pytest.skip(f"the Teams manifest schema is not at {SCHEMA} (it lives beside the project, in CI)")
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return loaded


def _build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, app_id: str | None = APP_ID) -> Path:
    if app_id is None:
        monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    else:
        monkeypatch.setenv("MICROSOFT_APP_ID", app_id)
    out = tmp_path / "mentorbot-teams.zip"
    assert main(["teams", "package", "--out", str(out), *args]) == 0
    return out


def _read(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return json.loads(files["manifest.json"]), files


def test_the_package_validates_against_microsofts_manifest_schema(
    schema: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, files = _read(
        _build(
            tmp_path,
            monkeypatch,
            "--website-url",
            "https://mentoring.example.edu",
            "--privacy-url",
            "https://mentoring.example.edu/privacy",
            "--terms-url",
            "https://mentoring.example.edu/terms",
        )
    )

    jsonschema.Draft4Validator(schema).validate(manifest)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    assert manifest["manifestVersion"] == "1.29"
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal", "team", "groupChat"]
    assert manifest["developer"]["privacyUrl"] == "https://mentoring.example.edu/privacy"


def test_without_an_app_id_the_package_says_it_has_a_placeholder(
    schema: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    manifest, _ = _read(_build(tmp_path, monkeypatch, app_id=None))

    jsonschema.Draft4Validator(schema).validate(manifest)
    assert manifest["id"] == PLACEHOLDER_ID
    assert "MICROSOFT_APP_ID is not set" in capsys.readouterr().err


def test_the_icons_are_the_sizes_teams_requires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest, files = _read(_build(tmp_path, monkeypatch))

    color = Image.open(io.BytesIO(files[manifest["icons"]["color"]]))
    outline_file = Image.open(io.BytesIO(files[manifest["icons"]["outline"]]))
    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline_file.format, outline_file.size) == ("PNG", (32, 32))
    outline = outline_file.convert("RGBA")
    assert outline.getpixel((0, 0))[3] == 0  # transparent background
    pixels = [outline.getpixel((x, y)) for y in range(32) for x in range(32)]
    drawn = [p for p in pixels if isinstance(p, tuple) and p[3] > 0]
    assert drawn and all(p[:3] == (255, 255, 255) for p in drawn)  # white on transparent
    assert color.convert("RGBA").getpixel((0, 0))[3] == 255  # the colour icon fills its square


def test_the_command_menu_offers_only_commands_the_bot_has_with_their_help_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, _ = _read(_build(tmp_path, monkeypatch))
    router = build_router()
    texts = ProgrammeConfig.default().text

    (menu,) = manifest["bots"][0]["commandLists"]
    commands = menu["commands"]
    assert menu["scopes"] == ["personal"]
    assert 1 <= len(commands) <= 10
    by_name = {c.name: c for c in router.commands}
    for entry in commands:
        command = by_name[entry["title"]]
        assert not command.roles  # everyone in the programme may use what the menu offers
        assert entry["description"] == texts(command.help_key)[:128]
    assert commands[0]["title"] == "help"


def test_the_same_settings_build_the_same_zip() -> None:
    router = build_router()
    programme = ProgrammeConfig.default()
    options = PackageOptions(app_id=APP_ID)

    first = build_package(router.commands, programme.text, programme.name, options)
    second = build_package(router.commands, programme.text, programme.name, options)

    assert first.data == second.data


def test_a_developer_url_that_is_not_https_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "app.zip"

    assert main(["teams", "package", "--out", str(out), "--privacy-url", "http://plain.example"]) == 2
    assert "must be an https:// URL" in capsys.readouterr().err
    assert not out.exists()
