import reflex as rx

# The same-run baseline of bench_portal_load.py: state in memory, like the app on one machine.
config = rx.Config(app_name="plain_portal", state_manager_mode="memory", telemetry_enabled=False,
                   show_built_with_reflex=False, disable_plugins=[rx.plugins.SitemapPlugin])
