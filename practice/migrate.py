"""Apply the Alembic migrations to the configured database."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from practice.config import ROOT


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade() -> None:
    """Bring the database to the newest schema."""
    command.upgrade(alembic_config(), "head")
