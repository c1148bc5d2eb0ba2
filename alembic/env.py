"""Alembic migrations run against the configured DATABASE_URL with the app's engine settings."""
from alembic import context
from sqlmodel import SQLModel

import practice.models  # noqa: F401 - registers the tables
from practice.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = get_engine()
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
