"""Where the payment provider tells the app of a card payment: `POST /payments/stripe/webhook`.

The body is verified by its signature with the firm's webhook signing secret before anything is read from it; a
bad or missing signature is answered 400 and changes nothing. A verified payment is recorded once (its provider id
is unique), so a webhook delivered again is answered 200 and changes nothing. Any other failure is answered 500, so
the provider tries again later. The work runs in Starlette's thread pool, off the event loop.
"""
from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from practice import routes
from practice.db import write_session
from practice.services.payments import online
from practice.services.payments.provider import BadSignature

MAX_BODY = 256 * 1024  # Stripe's events are a few kilobytes
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
log = logging.getLogger(__name__)


def _apply(body: bytes, signature: str) -> None:
    with write_session() as session:
        online.apply_webhook(session, body, signature)


async def stripe_webhook(request: Request) -> JSONResponse:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return JSONResponse({"error": "too large"}, status_code=413, headers=_HEADERS)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, status_code=413, headers=_HEADERS)
    try:
        await run_in_threadpool(_apply, body, request.headers.get("stripe-signature", ""))
    except BadSignature as err:
        return JSONResponse({"error": str(err)}, status_code=400, headers=_HEADERS)
    except Exception:
        log.exception("a card payment webhook could not be applied; the provider will try again")
        return JSONResponse({"error": "not applied; try again"}, status_code=500, headers=_HEADERS)
    return JSONResponse({"received": True}, headers=_HEADERS)


PAYMENT_ROUTES = [Route(routes.STRIPE_WEBHOOK, stripe_webhook, methods=["POST"])]
