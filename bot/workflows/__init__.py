"""The conversational workflows. Each module here has ``register(router)``; all are picked up."""

from __future__ import annotations

import importlib
import pkgutil

from bot.routing import Router


def build_router() -> Router:
    router = Router()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(router)
    return router
