"""Who is looking at a console page: the signed-in staff member as a service Actor."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from tickets.context import Actor
from tickets.enums import Role


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    staff_id: int
    name: str
    unit_id: int | None
    unit_name: str

    @property
    def is_office(self) -> bool:
        return self.actor.role is Role.OFFICE


VIEWER = web.RequestKey("console_viewer", Viewer)


def viewer(request: web.Request) -> Viewer:
    return request[VIEWER]
