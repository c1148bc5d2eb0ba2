import reflex as rx

# The same-run baseline of bench_drop.py: a board written the plain Reflex way, state in memory.
config = rx.Config(app_name="plain_board", state_manager_mode="memory", telemetry_enabled=False,
                   show_built_with_reflex=False, disable_plugins=[rx.plugins.SitemapPlugin])
