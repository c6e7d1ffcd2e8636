"""The web adapter: server-rendered pages on the service's own aiohttp app.

- `web.console` — the office's and units' workbench under /console/ (sign-in at /console/login).
- `web.h5` — the citizens' mobile pages under /h5/ (added by its own package).

The composition root calls `web.setup(app, settings)` once (main.py through `web_extension`);
each area registers its templates, guard and routes through `web.base.register_area` (see
web/base.py). The core never imports this package (tests/test_import_graph.py). Imports are
inside the functions: `main.py staff passwd` reaches web.cli without loading aiohttp."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web as aioweb

    from web.config import WebSettings


def setup(app: aioweb.Application, settings: WebSettings) -> None:
    """Templates, static files, sessions, CSRF and security headers, then every area."""
    from web import console, h5
    from web.base import setup_base

    setup_base(app, settings)
    console.setup(app)
    h5.setup(app)


def web_extension(settings: WebSettings) -> Callable[[aioweb.Application], None]:
    """What main.py hands to `integrations.app.init_app` (its `extensions`)."""

    def install(app: aioweb.Application) -> None:
        setup(app, settings)

    return install
