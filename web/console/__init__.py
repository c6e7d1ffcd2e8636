"""The office's and units' workbench (热线效能监管工作台) under /console/.

Pages render what the service's queries return and post each action to one service
function; no business rule lives here (DESIGN §5)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

HERE = Path(__file__).resolve().parent
PREFIX = "/console/"


def setup(app: web.Application) -> None:
    from web.base import Area, register_area
    from web.console import auth, desk, kb, office, pages, publishing, rankings, specialists, texts

    register_area(app, Area(name="console", prefix=PREFIX, templates=HERE / "templates", guard=auth.guard,
                            home=auth.HOME_PATH, globals={"t": texts}))
    app.router.add_routes(auth.routes)
    app[pages.CHART_CACHE] = {}
    app.router.add_routes(pages.routes)
    app.router.add_routes(desk.routes)
    app.router.add_routes(office.routes)
    app.router.add_routes(rankings.routes)
    app.router.add_routes(kb.routes)
    app.router.add_routes(publishing.routes)
    app.router.add_routes(specialists.routes)
