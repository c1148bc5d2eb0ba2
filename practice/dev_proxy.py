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
from urllib.parse import urlsplit, urlunsplit

from reflex_base.constants import Endpoint, ReactRouter
from reflex_base.plugins import Plugin

from practice import routes
from practice.protective_headers import PAGE_HEADERS

_DEFINE_ANCHOR = "export default defineConfig"
_SERVER_ANCHOR = "  server: {\n"
_PLUGINS_ANCHOR = "  plugins: [\n"
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

// practice: every answer of the dev server (the pages React Router renders included) carries the frame policy.
function practiceFrameHeaders() {{
  const headers = {json.dumps(PAGE_HEADERS)};
  // (a block body: a function returned from configureServer would run as a later hook)
  const guard = (server) => {{
    server.middlewares.use((req, res, next) => {{
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      next();
    }});
  }};
  return {{ name: "practice-frame-headers", configureServer: guard, configurePreviewServer: guard }};
}}

"""


def add_backend_proxy(content: str) -> str:
    """`vite.config.js` with the dev server's proxy to the backend's routes and the pages' protective headers
    (unchanged when already there)."""
    if _MARK in content:
        return content
    anchors = (_DEFINE_ANCHOR, _SERVER_ANCHOR, _PLUGINS_ANCHOR)
    if any(anchor not in content for anchor in anchors):
        raise RuntimeError("practice cannot add the backend proxy to vite.config.js: the anchors "
                           f"{anchors!r} are not all there (Reflex changed its template).")
    content = content.replace(_DEFINE_ANCHOR, _proxy_function() + _DEFINE_ANCHOR, 1)
    # First among the plugins, so its middleware sets the headers before any other answers.
    content = content.replace(_PLUGINS_ANCHOR, f"{_PLUGINS_ANCHOR}    practiceFrameHeaders(),\n", 1)
    return content.replace(_SERVER_ANCHOR, f"{_SERVER_ANCHOR}    proxy: {_MARK}(),\n", 1)


def at_page_host(url: str) -> str:
    """A backend address on the loopback IP, named `localhost` instead: Reflex's page script then reaches the
    backend at the host name the page was opened at (`localhost` or `127.0.0.1`), so the websocket carries the
    login cookie of that host (cookies go by host name, not port)."""
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1":
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace("127.0.0.1", "localhost", 1)))


class BackendProxyPlugin(Plugin):
    """Patches the generated Vite config at each compile so the dev server forwards the backend's routes, and
    points the page script at the backend by the page's own host name."""

    def pre_compile(self, **context):
        context["add_modify_task"](ReactRouter.VITE_CONFIG_FILE, add_backend_proxy)

    def update_env_json(self, **context):
        return {endpoint.name: at_page_host(endpoint.get_url()) for endpoint in Endpoint}
