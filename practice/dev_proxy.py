"""Same-origin links in development: the Vite dev server passes the backend's own HTTP routes on to the backend.

Every link and image the app makes is relative (`/files/3`, `/sign-pages/7/0.png`), so the browser sends the login
cookie to whatever host name the page was opened at. In production (`python -m practice serve`) one port serves
the pages and the backend, so relative addresses reach the backend as they are. In development (`reflex run`, the
test harness) the pages come from Vite on another port: this Reflex plugin adds a `server.proxy` to the generated
`vite.config.js` (the way Reflex's own EmbedPlugin patches that file) that forwards those paths to the backend
named in `.web/env.json`, which Reflex writes before it starts Vite. Vite's `preview` and the production build
ignore `server.proxy`.

Where one port serves the pages and the backend (the production build: `python -m practice serve`, the test
harness), the page script reaches the backend at the page's own address, port included: `.web/env.json` names no
port then, and Reflex's `getBackendURL` (in the copied `utils/state.js`) is patched to take the page's. So the
build does not depend on the port it was made for (one build serves any port, `practice/web_build.py`), and a
reverse proxy may serve the app at any port, over HTTP or HTTPS.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

from reflex_base.config import get_config
from reflex_base.constants import Endpoint, ReactRouter
from reflex_base.plugins import Plugin

from practice import routes
from practice.protective_headers import PAGE_HEADERS

_DEFINE_ANCHOR = "export default defineConfig"
_SERVER_ANCHOR = "  server: {\n"
_PLUGINS_ANCHOR = "  plugins: [\n"
_MARK = "practiceBackendProxy"
STATE_JS = "utils/state.js"
_SAME_ORIGIN = "PRACTICE_SAME_ORIGIN"
# In Reflex's getBackendURL, for a backend named `localhost` (the page's host name is put in its place):
_HOST_ANCHOR = "    endpoint.hostname = frontend_hostname;\n"
_HTTPS_PORT_ANCHOR = '      endpoint.port = ""; // Assume websocket is on https port via load balancer.\n'


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


def same_origin_backend(content: str) -> str:
    """Reflex's `utils/state.js` with `getBackendURL` taking the page's own port when env.json says the pages and
    the backend share it (unchanged when already patched)."""
    if _SAME_ORIGIN in content:
        return content
    if _HOST_ANCHOR not in content or _HTTPS_PORT_ANCHOR not in content:
        raise RuntimeError("practice cannot point the page script at the page's own port in utils/state.js: the "
                           f"anchors {(_HOST_ANCHOR, _HTTPS_PORT_ANCHOR)!r} are not both there (Reflex changed its "
                           "template).")
    content = content.replace(_HOST_ANCHOR, _HOST_ANCHOR + (
        f"    // practice: one port serves the pages and the backend: the page's own.\n"
        f"    if (env.{_SAME_ORIGIN}) endpoint.port = window.location.port;\n"), 1)
    return content.replace(_HTTPS_PORT_ANCHOR, _HTTPS_PORT_ANCHOR.replace(
        '""', f'env.{_SAME_ORIGIN} ? window.location.port : ""'), 1)


def without_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]))


def backend_env(urls: dict[str, str], *, same_origin: bool) -> dict:
    """The backend's addresses for env.json: named `localhost` (`at_page_host`), and without their port when one
    port serves the pages and the backend (the page's own port is taken then)."""
    urls = {name: at_page_host(url) for name, url in urls.items()}
    if same_origin:
        urls = {name: without_port(url) if urlsplit(url).hostname == "localhost" else url
                for name, url in urls.items()}
    return {**urls, _SAME_ORIGIN: same_origin}


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
        context["add_modify_task"](STATE_JS, same_origin_backend)

    def update_env_json(self, **context):
        config = get_config()
        same_origin = config.frontend_port is not None and config.frontend_port == config.backend_port
        return backend_env({endpoint.name: endpoint.get_url() for endpoint in Endpoint}, same_origin=same_origin)
