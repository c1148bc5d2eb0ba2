"""A start that changed no page serves the bundle already made (practice/web_build.py): kept in its `.web` folder,
or taken from the cache another `.web` folder filled; any change to what the bundler reads bundles again."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from practice import web_build


def _compiled(web: Path, page: str = "export default () => 'Board';") -> Path:
    """A `.web` folder as Reflex's compile leaves it (the parts the key reads, and parts it must not)."""
    (web / "app" / "routes").mkdir(parents=True)
    (web / "app" / "routes" / "board.jsx").write_text(page)
    (web / "package.json").write_text('{"dependencies": {"react": "19.0.0"}}')
    (web / "env.json").write_text('{"EVENT": "ws://localhost/_event"}')
    (web / "reflex.json").write_text('{"last_reflex_run_datetime": "2026-12-06 09:00:00"}')
    (web / "node_modules" / "react").mkdir(parents=True)
    return web


class Bundler:
    """Stands for the bundler (its work is Reflex's and Vite's): counts its runs, writes a build folder."""

    def __init__(self, web: Path):
        self.web, self.runs = web, 0

    def __call__(self) -> None:
        self.runs += 1
        client = self.web / "build" / "client"
        if client.parent.exists():
            shutil.rmtree(client.parent)
        client.mkdir(parents=True)
        page = (self.web / "app" / "routes" / "board.jsx").read_text()
        (client / "board.html").write_text(f"<html>{page}</html>")


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.delenv("PRACTICE_WEB_BUILD_CACHE", raising=False)


def test_a_start_that_changed_no_page_keeps_the_bundle(tmp_path, no_cache):
    web = _compiled(tmp_path / "web")
    bundler = Bundler(web)
    assert web_build.reuse_or_build(web, bundler) == "built"
    # Reflex notes the time of every run, and installs packages: neither is a change to the pages.
    (web / "reflex.json").write_text('{"last_reflex_run_datetime": "2026-12-06 10:00:00"}')
    (web / "node_modules" / "react" / "index.js").write_text("//")
    assert web_build.reuse_or_build(web, bundler) == "kept"
    assert bundler.runs == 1
    assert (web / "build" / "client" / "board.html").read_text() == "<html>export default () => 'Board';</html>"


@pytest.mark.parametrize("change", ["page", "new file", "packages", "env"])
def test_any_change_to_what_the_bundler_reads_bundles_again(tmp_path, no_cache, change):
    web = _compiled(tmp_path / "web")
    bundler = Bundler(web)
    web_build.reuse_or_build(web, bundler)
    if change == "page":
        (web / "app" / "routes" / "board.jsx").write_text("export default () => 'Tableau';")
    elif change == "new file":
        (web / "app" / "routes" / "tasks.jsx").write_text("export default () => 'Tasks';")
    elif change == "packages":
        (web / "package.json").write_text('{"dependencies": {"react": "19.1.0"}}')
    else:
        (web / "env.json").write_text('{"EVENT": "ws://api.firm.example/_event"}')
    assert web_build.reuse_or_build(web, bundler) == "built"
    assert bundler.runs == 2
    if change == "page":
        assert "Tableau" in (web / "build" / "client" / "board.html").read_text()


def test_a_bundle_missing_its_pages_is_made_again(tmp_path, no_cache):
    web = _compiled(tmp_path / "web")
    bundler = Bundler(web)
    web_build.reuse_or_build(web, bundler)
    shutil.rmtree(web / "build" / "client")
    assert web_build.reuse_or_build(web, bundler) == "built"


def test_another_web_folder_takes_the_same_pages_bundle_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_WEB_BUILD_CACHE", str(tmp_path / "cache"))
    first, second = _compiled(tmp_path / "one"), _compiled(tmp_path / "two")
    bundle_first, bundle_second = Bundler(first), Bundler(second)
    assert web_build.reuse_or_build(first, bundle_first) == "built"
    assert web_build.reuse_or_build(second, bundle_second) == "cached"
    assert bundle_second.runs == 0
    assert (second / "build" / "client" / "board.html").read_text() == (
        first / "build" / "client" / "board.html").read_text()
    # A bundle made again in the first folder (it removes its build folder) leaves the second one's whole.
    (first / "app" / "routes" / "board.jsx").write_text("export default () => 'Tableau';")
    assert web_build.reuse_or_build(first, bundle_first) == "built"
    assert "Board" in (second / "build" / "client" / "board.html").read_text()
    # A bundle kept in its folder from before the cache was set is put in the cache too.
    monkeypatch.setenv("PRACTICE_WEB_BUILD_CACHE", str(tmp_path / "another cache"))
    assert web_build.reuse_or_build(second, bundle_second) == "kept"
    fourth = _compiled(tmp_path / "four")
    assert web_build.reuse_or_build(fourth, Bundler(fourth)) == "cached"
    # Different pages are never taken from the cache.
    third = _compiled(tmp_path / "three", page="export default () => 'Tasks';")
    assert web_build.reuse_or_build(third, Bundler(third)) == "built"
    assert "Tasks" in (third / "build" / "client" / "board.html").read_text()


def test_a_cache_entry_left_half_made_is_not_taken(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_WEB_BUILD_CACHE", str(tmp_path / "cache"))
    web = _compiled(tmp_path / "web")
    # What a process stopped while it copied a bundle into the cache leaves: a folder without the key file.
    (tmp_path / "cache" / web_build.sources_key(web) / "client").mkdir(parents=True)
    bundler = Bundler(web)
    assert web_build.reuse_or_build(web, bundler) == "built"
    assert bundler.runs == 1
