"""A small disk of its own for a test: a tmpfs mounted in the test's folder, filled up or made read-only, as a
server's disk can be. Mounting needs root (the tests' container runs as root); elsewhere the tests that need it
are skipped with the reason."""
from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest


class SmallDisk:
    """A mounted tmpfs: `fill()` takes every free byte, `empty()` gives them back, `read_only(flag)` remounts."""

    def __init__(self, path: Path):
        self.path = path
        self._filler = path / ".filler"

    def fill(self) -> None:
        with open(self._filler, "ab", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * (1 << 20))
            except OSError:
                pass
            try:  # the last partial block
                while True:
                    fh.write(b"\0" * 512)
            except OSError:
                pass

    def empty(self) -> None:
        self._filler.unlink(missing_ok=True)

    def read_only(self, flag: bool = True) -> None:
        subprocess.run(["mount", "-o", f"remount,{'ro' if flag else 'rw'}", str(self.path)], check=True)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "32m") -> Iterator[SmallDisk]:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("a full or read-only disk is made with a tmpfs mount, which needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield SmallDisk(folder)
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
