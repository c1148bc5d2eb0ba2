import os

import reflex as rx

from practice.config import BACKEND_PORT, PORT, database_url
from practice.dev_proxy import BackendProxyPlugin
from practice.page_catalogs import PageCatalogsPlugin
from practice.web_processes import configure_state_locks

# With Redis (several web processes), Reflex's opportunistic lock (practice/web_processes.py).
configure_state_locks()

config = rx.Config(
    app_name="practice",
    db_url=database_url(),
    frontend_port=PORT,
    backend_port=BACKEND_PORT,
    backend_host="127.0.0.1",
    # The database holds the truth; the UI state is a cache. Memory on one machine, Redis to scale out.
    state_manager_mode="redis" if os.environ.get("REFLEX_REDIS_URL") else "memory",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Links are relative; in development the pages' server forwards the backend's routes (practice/dev_proxy.py).
    plugins=[BackendProxyPlugin(), PageCatalogsPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
