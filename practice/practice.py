"""The Reflex app: builds `app` (with the state manager that bounds anonymous tabs' states), registers every page
(each page module adds its route and on_load), puts the backend's own HTTP routes (`http_routes`) in front of
Reflex's and the upload gate (`upload_gate`) in front of all."""
import reflex as rx
from reflex.istate.manager.memory import StateManagerMemory

from practice import heap, warm_sandbox, web_processes
from practice.http_routes import with_http_routes
from practice.protective_headers import FrameGuard
from practice.pages import (account, invoice_templates, time_entries, account_security, api_tokens, accounts, audit, billing, board, chats, contacts, custom_fields, documents, email, home,
                            import_, inbox, job, login, organizers, parked, payment_settings, pipelines, portal, portal_documents, portal_invoices, portal_organizers,
                            portal_proposals,
                            portal_messages, portal_sign, proposals, recurring, recurring_invoices, request_link, request_templates,
                            rules_editor, settings, signatures, signing_settings,
                            tasks, team, verify, webhooks)
from practice.services import events
from practice.state.visitor_states import VisitorBoundStateManager
from practice.upload_gate import guard_uploads
from practice.worker import tasks as worker_tasks

# The web app's saves ring the worker as soon as they commit.
events.set_doorbell(worker_tasks.ring_doorbell)


def backend(reflex_backend):
    """The app's `api_transformer`: the backend's own routes in front of Reflex's, the upload gate in front of all,
    and the frame policy on every answer, the gate's refusals included."""
    return FrameGuard(guard_uploads(with_http_routes(reflex_backend)))


app = rx.App(theme=rx.theme(accent_color="indigo", radius="medium"), api_transformer=backend)
# Tabs nobody is logged in on keep their state briefly and in bounded number (state/visitor_states.py); with
# Redis (several app processes) Redis's own expiry applies.
if isinstance(app._state_manager, StateManagerMemory):
    app._state_manager = VisitorBoundStateManager()

PAGE_MODULES = (login, home, inbox, accounts, account, contacts, board, job, tasks, pipelines, team, settings, audit,
                import_, email, rules_editor, recurring, portal, portal_documents, account_security, documents,
                signatures, signing_settings, verify, proposals, organizers, portal_proposals, portal_sign, parked, custom_fields,
                chats, portal_messages, portal_organizers, portal_invoices, api_tokens, request_link, request_templates, webhooks,
                billing, invoice_templates, recurring_invoices, time_entries, payment_settings)
for module in PAGE_MODULES:
    module.register(app)
# Templates and PDF layouts run in children of a warm helper process: start it with the server, not at the first
# preview.
app.register_lifespan_task(warm_sandbox.start_in_background)
# What the app built as it started (about 0.9 million objects) is frozen out of the garbage collector's full passes,
# which otherwise hold every user for a second or two at a moment nobody chooses (practice/heap.py).
app.register_lifespan_task(heap.settle)
app.register_lifespan_task(heap.full_passes_on_schedule)
# With several web processes on Redis, a page whose process died reconnects to another with its own state.
app.register_lifespan_task(web_processes.keep_alive)
