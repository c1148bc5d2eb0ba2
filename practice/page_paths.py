"""A page's address is the same however it is opened: `/portal`, not `/portal/` after a full page load.

In production the backend serves the built pages, one folder per page (`portal/index.html`), and the static files'
server answers `/portal` with a redirect to `/portal/`: a round trip more on every full page load, and an address
that differs from the one the app's own links show (and from development's, where Vite serves the pages). This
middleware serves such a page at the address asked for instead. Only a GET or HEAD of a path that names a built
page's folder is touched; the backend's own routes, files and anything else pass through untouched.
"""
from __future__ import annotations

import os

from reflex.utils import prerequisites
from reflex_base import constants
from reflex_base.config import get_config
from starlette.types import ASGIApp, Receive, Scope, Send


def built_pages_folder() -> str:
    """Where the production build puts the pages (`.web/build/client`, or under REFLEX_WEB_WORKDIR)."""
    return str((prerequisites.get_web_dir() / constants.Dirs.STATIC / get_config().frontend_path.strip("/")).resolve())


class BuiltPagePaths:
    """ASGI middleware: a GET of `/x` where the build has `x/index.html` is served as `/x/` without a redirect."""

    def __init__(self, app: ASGIApp, folder: str | None = None) -> None:
        self.app = app
        self._folder = folder

    def _page_folder(self, path: str) -> bool:
        folder = self._folder or built_pages_folder()
        self._folder = folder
        target = os.path.normpath(os.path.join(folder, path.lstrip("/")))
        return target.startswith(folder + os.sep) and os.path.isfile(os.path.join(target, "index.html"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and len(path) > 1
                and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1] and self._page_folder(path)):
            raw = scope.get("raw_path")
            scope = {**scope, "path": path + "/", "raw_path": raw + b"/" if raw else raw}
        await self.app(scope, receive, send)
