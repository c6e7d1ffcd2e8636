"""The composition root's shared part: what main.py, the Alembic environment and the test
fixtures all need to assemble the whole service. The core (tickets/, knowledge_base/,
reports/) never imports this module or an adapter; only the root names every package.
"""

from __future__ import annotations

from bot.config import TelegramSettings
from integrations.config import IntegrationSettings
from web.config import WebSettings


class Settings(IntegrationSettings, TelegramSettings, WebSettings):
    """Every HOTLINE_ setting of the service: the core's and each adapter's (scheduler timing
    has its own HOTLINE_SCHEDULER_ prefix in scheduler/config.py)."""


def import_models() -> None:
    """Register every package's tables on SQLModel.metadata (Alembic, test schemas)."""
    # Imported for their side effect (the table classes register themselves).
    import bot.models  # noqa: F401
    import integrations.models  # noqa: F401
    import knowledge_base.models  # noqa: F401
    import reports.models  # noqa: F401
    import scheduler.models  # noqa: F401
    import tickets.models
    import tickets.whistle_models  # noqa: F401
    import web.models  # noqa: F401
