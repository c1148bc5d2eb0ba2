"""In development the pages' server (Vite) forwards the backend's own routes, so the app's relative links to
documents and page images reach the backend at any host name (practice/dev_proxy.py)."""
from __future__ import annotations

import json

import pytest
from reflex_base.compiler.templates import vite_config_template

from practice import routes
from practice.dev_proxy import add_backend_proxy, at_page_host, backend_prefixes


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
