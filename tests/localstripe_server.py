"""A throwaway localstripe (a fake of Stripe's API, PyPI `localstripe`) for the tests: its aiohttp app served on a
free port of 127.0.0.1 only, in a child process, keeping nothing on disk, stopped at the end.

localstripe's own `python -m localstripe` listens on every interface (`::`) and pickles its store to a fixed file in
/tmp after each write, which two test runs at once would share: this launcher serves the same app on 127.0.0.1 and
turns that file off. `python -m tests.localstripe_server` starts one and prints its address (to try things by hand).

What localstripe offers (docs/payments.md): PaymentIntents (create, confirm, 3-D Secure via `_authenticate`),
PaymentMethods with Stripe's test ids (`pm_card_visa`, ...), tokens, customers, charges, refunds, events, signed
webhooks to addresses set with `POST /_config/webhooks/{id}`, and a fake Stripe.js at `/js.stripe.com/v3/`.
It has no Checkout Sessions, and it ignores the `Idempotency-Key` header: this launcher adds Stripe's rule (the same POST
with a key already seen within the run gets the first answer again, whatever happened in between), so a retried
charge with the same key is answered as Stripe would answer it.
"""
from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.children import die_with_parent
from tests.smtp import free_port

_SERVE = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None   # nothing on disk: the store dies with the process
answered = {}

# localstripe lists a kind of object by scanning its whole store, and every charge it answers with lists its refunds
# that way: each answer cost more as the run's store grew (2,400 charges in the recurring invoices' chaos test). The
# same lists, in the same order, from an index of the store by kind.
by_kind = {}

def _set(self, key, value):
    dict.__setitem__(self, key, value)
    if ":" in key:  # "kind:id"; a singleton such as "balance" is in no list, as in localstripe's own scan
        by_kind.setdefault(key.split(":", 1)[0], {})[key] = value

def _delete(self, key):
    dict.__delitem__(self, key)
    by_kind.get(key.split(":", 1)[0], {}).pop(key, None)

def _list_all(cls, url, limit=None, starting_after=None, **kwargs):
    if kwargs:
        raise resources.UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
    li = resources.List(url, limit=limit, starting_after=starting_after)
    li._list = list(by_kind.get(cls.object, {}).values())
    return li

def _clear(self):
    dict.clear(self)
    by_kind.clear()

resources.Store.__setitem__, resources.Store.__delitem__, resources.Store.clear = _set, _delete, _clear
resources.StripeObject._api_list_all = classmethod(_list_all)

@web.middleware
async def idempotent(request, handler):
    # Stripe's rule for POSTs with an Idempotency-Key: the first answer (success or error) is kept and given again.
    key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
    if key:  # the same request again (Stripe refuses a key reused with other parameters; here it is a new request)
        key = (request.path, key, await request.read())
    if key and key in answered:
        status, body = answered[key]
        return web.Response(status=status, body=body, content_type="application/json",
                            headers={"Idempotent-Replayed": "true"})
    response = await handler(request)
    if key and isinstance(response, web.Response) and response.status < 500:
        answered[key] = (response.status, response.body)
    return response

server.app.middlewares.insert(0, idempotent)
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


class ThrowawayLocalstripe:
    """One localstripe server for one test run."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ThrowawayLocalstripe":
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-c", _SERVE, str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        preexec_fn=die_with_parent())
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/js.stripe.com/v3/", timeout=1).read(10)
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    err = self.process.stderr.read().decode(errors="replace")[-2000:] if self.process.stderr else ""
                    self.stop()
                    raise RuntimeError(f"localstripe did not start:\n{err}") from None
                time.sleep(0.05)

    def send_webhooks_to(self, url: str, secret: str, name: str = "practice") -> None:
        """Have localstripe sign each event with `secret` and post it to `url` (about a second after it)."""
        data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/_config/webhooks/{name}", data=data), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        self.process = None


class WebhookInbox:
    """An address on 127.0.0.1 that keeps each webhook localstripe posts to it (body and Stripe-Signature header),
    as the app's endpoint would receive them; the tests hand them to the service as many times as they like."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                inbox.received.append((body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/"

    def wait_for(self, words: bytes, timeout: float = 20) -> tuple[bytes, str]:
        """The first webhook whose body contains `words` (localstripe posts about a second after the event)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body, signature in list(self.received):
                if words in body:
                    return body, signature
            time.sleep(0.05)
        raise AssertionError(f"no webhook with {words!r} within {timeout} s")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # pragma: no cover - by hand
    server = ThrowawayLocalstripe().start()
    print(server.url, flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
