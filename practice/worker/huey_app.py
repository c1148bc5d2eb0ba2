"""The Huey instance: SQLite file in the data folder by default, Redis when REDIS_URL is set."""
from __future__ import annotations

import os

from huey import RedisHuey, SqliteHuey

from practice.config import huey_path

if os.environ.get("REDIS_URL"):
    huey = RedisHuey("practice", url=os.environ["REDIS_URL"])
else:
    huey = SqliteHuey("practice", filename=str(huey_path()), immediate=os.environ.get("PRACTICE_HUEY_IMMEDIATE") == "1")
