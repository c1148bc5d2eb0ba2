"""The Huey instance: SQLite file in the data folder by default, Redis when REDIS_URL is set."""
from __future__ import annotations

import os

from huey import Huey, RedisHuey
from huey.storage import SqliteStorage

from practice.config import huey_path


class QueueFileOnFirstUse(SqliteStorage):
    """Huey's SQLite queue, opened (and its file made) when first used rather than when imported, so a
    command that never queues anything (`verify`, `migrate`) leaves no queue file behind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, create_tables=False, **kwargs)
        self._schema_ready = False

    @property
    def conn(self):
        if self._conn is None:
            self._conn = self._create_connection()
            if not self._schema_ready:
                cursor = self._conn.cursor()
                for sql in self.ddl:
                    cursor.execute(sql)
                self._conn.commit()
                self._schema_ready = True
        return self._conn


if os.environ.get("REDIS_URL"):
    huey = RedisHuey("practice", url=os.environ["REDIS_URL"])
else:
    huey = Huey("practice", storage_class=QueueFileOnFirstUse, filename=str(huey_path()),
                immediate=os.environ.get("PRACTICE_HUEY_IMMEDIATE") == "1")
