"""A throwaway Redis server for the tests: Debian's redis-server, its files in a temporary folder, listening on a
free port of 127.0.0.1 only, keeping nothing on disk (the data dies with the run).

`python -m tests.redis_server` starts one and prints its URL (for a person trying things by hand); the test suite
starts its own when `PRACTICE_TEST_REDIS=1` (tests/conftest.py; `make test-postgres` sets it) and stops it at the
end.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests.children import die_with_parent
from tests.smtp import free_port


class ThrowawayRedis:
    """One Redis server for one test run."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="practice-redis-"))
        self.port = 0
        self.process: subprocess.Popen | None = None

    def start(self) -> "ThrowawayRedis":
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("Redis is not installed (Debian: apt-get install redis-server)")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder), "--save", "",
             "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no"],
            stdout=open(self.folder / "server.log", "wb"), stderr=subprocess.STDOUT, cwd=self.folder,
            preexec_fn=die_with_parent())
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url(), socket_connect_timeout=1).ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise RuntimeError(f"Redis did not start:\n{log}") from None
                time.sleep(0.05)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - by hand
    server = ThrowawayRedis().start()
    print(server.url(), flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
