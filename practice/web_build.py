"""The production build of the pages, made again only when the pages changed.

`reflex run --env prod` (what `python -m practice web` runs) compiles the Python pages into the `.web` folder, then
bundles them for the browser: the bundling is most of a start's minute, and most starts change nothing. So the
bundle is kept with a key, the hash of everything the bundler reads from `.web` (the compiled pages, the copied
scripts, the packages' list and lock, env.json); a start whose compiled pages hash to the key of the bundle already
there serves it as it is. The port is not in that key: where one port serves the pages and the backend, the page
script takes the page's own (practice/dev_proxy.py).

With `PRACTICE_WEB_BUILD_CACHE` set to a folder, each bundle is also kept there under its key, so another `.web`
folder (another data folder's app, the tests' servers) takes it instead of bundling the same pages again.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

# What the bundler writes or installs (not its input), and Reflex's note of its own last run (a time of day).
NOT_INPUT = frozenset({"node_modules", "build", ".react-router", "reflex.json",
                       "reflex.install_frontend_packages.cached"})
KEY_FILE = ".practice-build-key"  # in the build folder, beside the served `client` folder (never served)


def sources_key(web: Path) -> str:
    """The hash of every file the bundler reads from the `.web` folder `web` (their paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(_inputs(web)):
        digest.update(path.relative_to(web).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _inputs(web: Path):
    for entry in web.iterdir():
        if entry.name in NOT_INPUT:
            continue
        if entry.is_dir() and not entry.is_symlink():
            yield from (p for p in entry.rglob("*") if p.is_file())
        elif entry.is_file():
            yield entry


def _cache() -> Path | None:
    folder = os.environ.get("PRACTICE_WEB_BUILD_CACHE")
    return Path(folder) if folder else None


def _built_key(build: Path) -> str:
    try:
        return (build / KEY_FILE).read_text().strip()
    except OSError:
        return ""


def _copy_tree(source: Path, target: Path) -> None:
    """`source` copied to `target` as hard links where the file system allows (a bundle is never written to in
    place: a new build replaces the whole folder)."""
    def link_or_copy(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    shutil.copytree(source, target, copy_function=link_or_copy, symlinks=True)


def reuse_or_build(web: Path, build: Callable[[], None]) -> str:
    """Make `web`'s build folder hold the bundle of the pages compiled in `web`: kept if it is already theirs, else
    taken from the cache, else made by `build()`; a bundle kept or made is then kept in the cache too. Returns
    which: "kept", "cached" or "built"."""
    key = sources_key(web)
    target = web / "build"
    cache = _cache()
    cached = cache / key if cache else None
    if _built_key(target) == key and (target / "client").is_dir():
        how = "kept"
    elif cached is not None and _built_key(cached) == key:
        shutil.rmtree(target, ignore_errors=True)
        _copy_tree(cached, target)
        return "cached"
    else:
        build()
        (target / KEY_FILE).write_text(key + "\n")
        how = "built"
    if cached is not None and not cached.exists():
        _keep(target, cached)
    return how


def _keep(build: Path, cached: Path) -> None:
    """A copy of the build folder `build` in the cache, at `cached` (whole or not at all)."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{cached.name[:12]}-", dir=cached.parent))
    try:
        _copy_tree(build, scratch / "build")
        (scratch / "build").rename(cached)
    except OSError:
        pass  # another process kept this bundle first (or the cache cannot be written: the app runs all the same)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def install() -> None:
    """Make Reflex's production build step (`reflex.utils.build.build`, which `reflex run --env prod` and `reflex
    export` call after compiling) reuse a bundle of the same pages."""
    from reflex.utils import build as reflex_build
    from reflex.utils import prerequisites

    original = reflex_build.build
    if getattr(original, "practice_reuses", False):
        return

    def build() -> None:
        how = reuse_or_build(prerequisites.get_web_dir(), original)
        if how != "built":
            print(f"practice: the pages have not changed since their last build; serving it ({how}).", flush=True)

    build.practice_reuses = True
    reflex_build.build = build
