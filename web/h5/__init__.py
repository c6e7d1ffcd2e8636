"""The citizens' mobile pages under /h5/ (no sign-in): 聊天办 chat over the conversation
engine, filing a request with photos and a phone proved by an SMS code, tracking by number
and phone (or by the signed link in every message) and the callback rating.

`setup(app)` is called by `web.setup` after the shared base (templates, static files, CSRF,
security headers); the views are in web/h5/views.py, the templates in web/h5/templates."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from aiohttp import web

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024


def setup(app: web.Application) -> None:
    from integrations.http import BODY_LIMITS
    from integrations.state import RULES, SETTINGS
    from tickets.photos import PhotoPolicy
    from tickets.tracking import TrackingLinks
    from tickets.verification import CodePolicy
    from web.base import SECRET, Area, register_area
    from web.h5 import mailbox, views
    from web.h5.limits import H5Limits

    rules = app[RULES]
    settings = app[SETTINGS]
    policy = PhotoPolicy()
    # Three photos and the form: the only body over the app's 1 MB limit.
    uploads = {"/h5/file/submit": policy.max_photos * policy.max_bytes + MB,
               "/h5/mailbox": rules.policy.limits.letter_attachments_max * policy.max_bytes + MB}
    register_area(app, Area(name="h5", prefix="/h5/", templates=HERE / "templates", home="/h5/",
                            globals=views.template_globals()))
    app.setdefault(BODY_LIMITS, {}).update(uploads)
    app[views.LIMITS] = H5Limits.default(rules.clock)
    # Links in messages are signed with HOTLINE_TRACKING_SECRET; without it, the page's own
    # links (receipt, look-up) are signed with the web key.
    app[views.LINKS] = rules.links or TrackingLinks(secret=app[SECRET].hex(), base_url="")
    app[views.CODE_POLICY] = CodePolicy(log_codes=settings.sms_code_log)
    app[views.PHOTO_WORK] = asyncio.Semaphore(os.cpu_count() or 2)
    app.router.add_routes(views.routes)
    app.router.add_routes(mailbox.routes)
