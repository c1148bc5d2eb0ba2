"""In development the pages' server (Vite) forwards the backend's own routes, so the app's relative links to
documents and page images reach the backend at any host name (practice/dev_proxy.py)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from reflex_base.compiler.templates import vite_config_template

from practice import routes
from practice.dev_proxy import add_backend_proxy, at_page_host, backend_env, backend_prefixes, same_origin_backend


def _reflex_vite_config() -> str:
    return vite_config_template(base="/", hmr=True, force_full_reload=False, experimental_hmr=False, sourcemap=False)


def test_the_backends_routes_are_forwarded_by_the_dev_server():
    prefixes = ["/files/", "/sign-pages/", "/remember-device", "/session/start", "/session/end", "/session/end-portal",
                "/api/v1", "/payments/stripe/webhook"]
    assert backend_prefixes() == prefixes
    assert routes.file_url(3).startswith("/files/") and routes.sign_page_url(7, 0).startswith("/sign-pages/")
    config = add_backend_proxy(_reflex_vite_config())
    server = config[config.index("  server: {"):]
    assert server.startswith("  server: {\n    proxy: practiceBackendProxy(),\n")
    assert json.dumps(prefixes) in config
    assert 'new URL("./env.json", import.meta.url)' in config  # the backend Reflex started, whatever its port


def test_patching_twice_changes_nothing():
    once = add_backend_proxy(_reflex_vite_config())
    assert add_backend_proxy(once) == once


def test_a_changed_reflex_template_is_a_clear_error_not_a_silent_miss():
    with pytest.raises(RuntimeError, match="Reflex changed its template"):
        add_backend_proxy("export default {}")


def test_the_page_script_reaches_the_backend_at_the_pages_own_host_name():
    # Reflex's page script swaps `localhost` (never 127.0.0.1) for the page's host: the login cookie goes along.
    assert at_page_host("ws://127.0.0.1:8123/_event") == "ws://localhost:8123/_event"
    assert at_page_host("http://127.0.0.1:8123/ping") == "http://localhost:8123/ping"
    assert at_page_host("https://firm.example/_event") == "https://firm.example/_event"


# Where one port serves the pages and the backend, the page script reaches the backend at the page's own port: the
# build made for one port serves any (practice/web_build.py), behind a proxy on any port too.

def _reflex_state_js() -> str:
    import reflex_base

    return (Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js").read_text()


def _backend_url_in_a_page(state_js: str, env: dict, page: str, url: str) -> str:
    """What Reflex's getBackendURL (from `state_js`) answers for `url` in a page opened at `page`, run in node."""
    start = state_js.index("export const getBackendURL = ")
    function = state_js[start:state_js.index("\n};\n", start) + 3].replace("export const ", "const ")
    script = (f"const env = {json.dumps(env)};\n"
              'const SAME_DOMAIN_HOSTNAMES = ["localhost", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"];\n'
              f"const window = {{location: new URL({json.dumps(page)})}};\n"
              f"{function}\nprocess.stdout.write(getBackendURL({json.dumps(url)}).href);\n")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    return subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout


def test_with_one_port_the_page_script_reaches_the_backend_at_the_pages_own_port():
    env = backend_env({"EVENT": "ws://127.0.0.1:3000/_event", "PING": "http://127.0.0.1:3000/ping"},
                      same_origin=True)
    assert env == {"EVENT": "ws://localhost/_event", "PING": "http://localhost/ping", "PRACTICE_SAME_ORIGIN": True}
    patched = same_origin_backend(_reflex_state_js())
    assert _backend_url_in_a_page(patched, env, "http://127.0.0.1:41234/board", env["EVENT"]) \
        == "ws://127.0.0.1:41234/_event"
    assert _backend_url_in_a_page(patched, env, "http://localhost:3000/", env["PING"]) == "http://localhost:3000/ping"
    # Behind a proxy that serves HTTPS, at its usual port or another one.
    assert _backend_url_in_a_page(patched, env, "https://firm.example/inbox", env["EVENT"]) \
        == "wss://firm.example/_event"
    assert _backend_url_in_a_page(patched, env, "https://firm.example:8443/inbox", env["EVENT"]) \
        == "wss://firm.example:8443/_event"
    # Reflex's own script took the port of the build (the page at another port reached nothing).
    assert _backend_url_in_a_page(_reflex_state_js(), backend_env({"EVENT": "ws://127.0.0.1:3000/_event"},
                                                                  same_origin=False),
                                  "http://127.0.0.1:41234/board", "ws://localhost:3000/_event") \
        == "ws://127.0.0.1:3000/_event"


def test_in_development_the_backend_keeps_its_own_port():
    env = backend_env({"EVENT": "ws://127.0.0.1:8000/_event"}, same_origin=False)
    assert env == {"EVENT": "ws://localhost:8000/_event", "PRACTICE_SAME_ORIGIN": False}
    patched = same_origin_backend(_reflex_state_js())
    assert _backend_url_in_a_page(patched, env, "http://localhost:3000/board", env["EVENT"]) \
        == "ws://localhost:8000/_event"
    # A backend named by its real host name is left as it is.
    assert backend_env({"EVENT": "wss://api.firm.example:9000/_event"}, same_origin=True)["EVENT"] \
        == "wss://api.firm.example:9000/_event"


def test_patching_the_page_script_twice_changes_nothing_and_a_changed_template_is_a_clear_error():
    once = same_origin_backend(_reflex_state_js())
    assert same_origin_backend(once) == once
    with pytest.raises(RuntimeError, match="Reflex changed its template"):
        same_origin_backend("export const getBackendURL = (url_str) => new URL(url_str);")
