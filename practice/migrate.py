"""Apply the Alembic migrations to the configured database."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from practice.config import ROOT
from practice.db import refresh_statistics


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade() -> None:
    """Bring the database to the newest schema, then give the query planner current statistics."""
    command.upgrade(alembic_config(), "head")
    refresh_statistics()
