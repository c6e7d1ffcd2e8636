"""The console's pages."""

from __future__ import annotations

from aiohttp import web

from web.base import render
from web.console.viewer import viewer

routes = web.RouteTableDef()


@routes.get("/console")
async def console_root(_request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/console/")


@routes.get("/console/")
async def dashboard(request: web.Request) -> web.Response:
    return render("console/dashboard.html", request, {"me": viewer(request), "nav": "home"})
