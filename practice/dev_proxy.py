"""Same-origin links in development: the Vite dev server passes the backend's own HTTP routes on to the backend.

Every link and image the app makes is relative (`/files/3`, `/sign-pages/7/0.png`), so the browser sends the login
cookie to whatever host name the page was opened at. In production (`python -m practice serve`) one port serves
the pages and the backend, so relative addresses reach the backend as they are. In development (`reflex run`, the
test harness) the pages come from Vite on another port: this Reflex plugin adds a `server.proxy` to the generated
`vite.config.js` (the way Reflex's own EmbedPlugin patches that file) that forwards those paths to the backend
named in `.web/env.json`, which Reflex writes before it starts Vite. Vite's `preview` and the production build
ignore `server.proxy`.
"""
from __future__ import annotations

import json

from reflex_base.constants import ReactRouter
from reflex_base.plugins import Plugin

from practice import routes
from practice.protective_headers import PAGE_HEADERS

_DEFINE_ANCHOR = "export default defineConfig"
_SERVER_ANCHOR = "  server: {\n"
_MARK = "practiceBackendProxy"


def backend_prefixes() -> list[str]:
    """The path prefixes of the backend's plain HTTP routes (`/files/`, `/sign-pages/`)."""
    return [route.split("{", 1)[0] for route in routes.BACKEND_ROUTES]


def _proxy_function() -> str:
    prefixes = json.dumps(backend_prefixes())
    return f"""import {{ readFileSync as practiceReadFileSync }} from "fs";

// practice: the backend's own routes (downloads, page images), forwarded with the visitor's cookies.
function {_MARK}() {{
  let backend;
  try {{
    const env = JSON.parse(practiceReadFileSync(new URL("./env.json", import.meta.url), "utf8"));
    backend = new URL(env.PING);
  }} catch {{
    return {{}};
  }}
  if (backend.hostname === "localhost") backend.hostname = "127.0.0.1";  // the backend listens on IPv4
  return Object.fromEntries({prefixes}.map((prefix) => [prefix, {{ target: backend.origin }}]));
}}

"""


def add_backend_proxy(content: str) -> str:
    """`vite.config.js` with the dev server's proxy to the backend's routes and the pages' protective headers
    (unchanged when already there)."""
    if _MARK in content:
        return content
    if _DEFINE_ANCHOR not in content or _SERVER_ANCHOR not in content:
        raise RuntimeError("practice cannot add the backend proxy to vite.config.js: the anchors "
                           f"{_DEFINE_ANCHOR!r} and {_SERVER_ANCHOR!r} are gone (Reflex changed its template).")
    content = content.replace(_DEFINE_ANCHOR, _proxy_function() + _DEFINE_ANCHOR, 1)
    # The pages Vite serves carry the same frame policy as those the backend serves in production.
    headers = f"    headers: {json.dumps(PAGE_HEADERS)},\n"
    return content.replace(_SERVER_ANCHOR, f"{_SERVER_ANCHOR}    proxy: {_MARK}(),\n{headers}", 1)


class BackendProxyPlugin(Plugin):
    """Patches the generated Vite config at each compile so the dev server forwards the backend's routes."""

    def pre_compile(self, **context):
        context["add_modify_task"](ReactRouter.VITE_CONFIG_FILE, add_backend_proxy)
