"""Every URL of the app in one place; pages and links use these, never string literals."""

LOGIN = "/login"
# Staff who forgot their password: ask for a link, then choose a new password with it.
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"
ACCOUNT_SECURITY = "/account-security"
HOME = "/"
ACCOUNTS = "/accounts"
ACCOUNT = "/accounts/[account_id]"
CONTACTS = "/contacts"
BOARD = "/board"
JOB = "/jobs/[job_id]"
TASKS = "/tasks"
PIPELINES = "/pipelines"
TEAM = "/team"
IMPORT = "/import"
AUDIT = "/audit"
SETTINGS = "/settings"
SIGNING_SETTINGS = "/settings/signing"
CUSTOM_FIELDS = "/settings/fields"
# Every team member's personal access tokens for the REST API (`API` below).
API_TOKENS = "/settings/api-tokens"
WEBHOOKS = "/settings/webhooks"
# The firm's card payment keys (owner and admins; docs/payments.md).
PAYMENT_SETTINGS = "/settings/payments"
# Public: anyone checks a signed PDF's seal (no login).
VERIFY = "/verify"
INBOX = "/inbox"
CHATS = "/chats"
EMAIL = "/email"
EMAIL_TEMPLATES = "/email/templates"
EMAIL_OUTBOX = "/email/outbox"
RULES = "/automations/rules"
RECURRING = "/automations/recurring"
RUNS = "/automations/runs"
PARKED = "/automations/set-aside"
# Signature requests (staff): a new request for an account, one request, and the document templates.
SIGNATURE_NEW = "/accounts/[account_id]/signatures/new"
SIGNATURE = "/signatures/[request_id]"
DOCUMENT_TEMPLATES = "/signatures/templates"
# Billing (members who see billing): the invoices list, and one invoice ("new" for a new draft).
BILLING = "/billing"
INVOICE = "/billing/invoices/[invoice_id]"
# The invoice templates rules send (owner and admins).
INVOICE_TEMPLATES = "/billing/templates"
# Recurring invoices: a series per account, each period issued once (whoever sees billing; writing: manage invoices).
RECURRING_INVOICES = "/billing/recurring"
NEW_INVOICE_ID = "new"
# Time entries: the running timer, time written down, work in progress (members who track or see time).
TIME = "/time"


def account_url(account_id: int | str) -> str:
    return f"/accounts/{account_id}"


def job_url(job_id: int | str) -> str:
    return f"/jobs/{job_id}"


def chat_url(thread_id: int | str) -> str:
    """The chats page with this thread open."""
    return f"{CHATS}?thread={thread_id}"


def task_url(task_id: int | str) -> str:
    """The task list with this task's detail open."""
    return f"{TASKS}?task={task_id}"


def board_url(pipeline_id: int | str) -> str:
    return f"{BOARD}?pipeline={pipeline_id}"


def billing_url(account_id: int | str | None = None) -> str:
    """The invoices list (of one account when given)."""
    return BILLING + (f"?account={account_id}" if account_id else "")


def time_url(account_id: int | str | None = None, member_id: int | str | None = None) -> str:
    """The Time page, filtered by account and by member when given."""
    query = "&".join(f"{key}={value}" for key, value in (("account", account_id), ("member", member_id)) if value)
    return TIME + (f"?{query}" if query else "")


def invoice_url(invoice_id: int | str) -> str:
    return f"/billing/invoices/{invoice_id}"


def new_invoice_url(account_id: int | str | None = None) -> str:
    """The invoice editor with a new draft (for this account when given)."""
    return f"/billing/invoices/{NEW_INVOICE_ID}" + (f"?account={account_id}" if account_id else "")


def new_signature_url(account_id: int | str, job_id: int | str | None = None) -> str:
    return f"/accounts/{account_id}/signatures/new" + (f"?job={job_id}" if job_id else "")


def signature_url(request_id: int | str) -> str:
    return f"/signatures/{request_id}"


# The client portal (contacts log in here, never on the staff pages).
PORTAL = "/portal"
PORTAL_LOGIN = "/portal/login"
PORTAL_ACTIVATE = "/portal/activate"
PORTAL_FORGOT = "/portal/forgot"
PORTAL_RESET = "/portal/reset"
PORTAL_TASKS = "/portal/tasks"
PORTAL_PROFILE = "/portal/profile"
PORTAL_DOCUMENTS = "/portal/documents"
PORTAL_MESSAGES = "/portal/messages"
FOLDER_TEMPLATES = "/documents/templates"
PROPOSAL_TEMPLATES = "/proposals/templates"
ORGANIZER_TEMPLATES = "/organizers/templates"
PORTAL_PROPOSAL = "/portal/proposals/[proposal_id]"
PORTAL_ORGANIZERS = "/portal/organizers"
PORTAL_INVOICES = "/portal/invoices"
PORTAL_ORGANIZER = "/portal/organizers/[organizer_id]"
# Served by the backend (a Starlette route), not a page: the document's bytes.
FILE_DOWNLOAD = "/files/{document_id:int}"


def portal_pay_url(invoice_id: int | str) -> str:
    """The portal's Invoices page, opening the card payment of this invoice when the firm takes cards."""
    return f"{PORTAL_INVOICES}?pay={invoice_id}"


def file_url(document_id: int | str) -> str:
    """The download link of a document: relative, so it works at any host name the firm serves the app from."""
    return f"/files/{document_id}"


CLIENT_REQUEST_LINK = "/request/[token]"
REQUEST_TEMPLATES = "/requests/templates"


def client_request_url(token: str) -> str:
    """The page a client request's recipient opens from the emailed link (no login: the token is the key)."""
    return f"/request/{token}"


def portal_organizer_url(organizer_id: int | str) -> str:
    """The client's page of one organizer, where they fill it in."""
    return f"/portal/organizers/{organizer_id}"


def portal_proposal_url(proposal_id: int | str) -> str:
    """The client's page of one proposal."""
    return f"/portal/proposals/{proposal_id}"


# Signatures: the portal page where a contact signs, and the backend route serving a request's page images.
PORTAL_SIGN = "/portal/sign/[request_id]"
SIGN_PAGE_IMAGE = "/sign-pages/{request_id:int}/{page:int}.png"


def portal_sign_url(request_id: int | str) -> str:
    """The portal page where a signer opens and signs a signature request."""
    return f"/portal/sign/{request_id}"


def sign_page_url(request_id: int | str, page: int | str) -> str:
    """One page of a signature request's PDF as a PNG (0-based page; relative, like every link the app makes)."""
    return f"/sign-pages/{request_id}/{page}.png"


# After a login the page posts its one-time grant here to get the HttpOnly device cookie (practice/http_routes.py).
REMEMBER_DEVICE = "/remember-device"

# The login cookies are HttpOnly: only the backend sets and clears them (practice/session_routes.py). A login
# sends the browser to SESSION_START with a one-time token; logging out goes through SESSION_END (staff) or
# PORTAL_SESSION_END (a client), which end the session and clear its cookie.
SESSION_START = "/session/start"
SESSION_END = "/session/end"
PORTAL_SESSION_END = "/session/end-portal"
STAFF_SESSION_COOKIE = "practice_sid"
PORTAL_SESSION_COOKIE = "portal_sid"

# The REST API for the firm's other programs (practice/api_routes.py), with personal access tokens
# (services/access/api_tokens.py).
API = "/api/v1"

# Where Stripe posts the firm's card payment webhooks (practice/payment_routes.py; docs/payments.md).
STRIPE_WEBHOOK = "/payments/stripe/webhook"

# The backend's plain HTTP routes (practice/http_routes.py): in development the pages' server forwards them.
BACKEND_ROUTES = (FILE_DOWNLOAD, SIGN_PAGE_IMAGE, REMEMBER_DEVICE, SESSION_START, SESSION_END, PORTAL_SESSION_END,
                  API, STRIPE_WEBHOOK)
