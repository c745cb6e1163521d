"""Following the links of an e-mail over HTTP, as a browser (or a mail client's one-click) does."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.test_utils import TestClient

FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def visible_text(html: str) -> str:
    """The page as a reader sees it: tags gone, entities decoded, spaces collapsed."""
    text = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


async def open_link(client: TestClient[web.Request, web.Application], url: str) -> tuple[int, str]:
    async with client.get(path_of(url)) as resp:
        return resp.status, await resp.text()


async def post_link(
    client: TestClient[web.Request, web.Application], url: str, data: dict[str, str] | None = None
) -> tuple[int, str]:
    async with client.post(path_of(url), data=data or {}) as resp:
        return resp.status, await resp.text()


def form_action(html: str) -> str:
    """Where the (last) HTML form on a page posts to."""
    found = FORM_ACTION.findall(html)
    assert found, "the page has no form"
    return unescape(found[-1])
