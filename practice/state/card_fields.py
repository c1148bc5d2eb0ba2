"""The provider's card fields in the portal (Stripe.js, or localstripe's stand-in in the tests), as events: mounted in
the page's box (components/card_fields.card_box), read into a token by the provider's script, and its 3-D Secure
step. The card number goes from these
fields to the provider only; the app's handlers get back a token id or what went wrong."""
from __future__ import annotations

import json

import reflex as rx

BOX_ID = "card-fields"

# Loads the provider's script once (it sets window.Stripe), waits for the box to be drawn, mounts the card fields.
_MOUNT = """(async () => {
  const url = %(url)s, key = %(key)s, boxId = %(box)s;
  if (!window.Stripe) {
    await new Promise((ok, ko) => { const s = document.createElement('script'); s.src = url; s.onload = ok;
                                    s.onerror = ko; document.head.appendChild(s); });
  }
  for (let i = 0; i < 200 && !document.getElementById(boxId); i++) await new Promise((r) => setTimeout(r, 50));
  const box = document.getElementById(boxId);
  if (!box) return;
  if (window.practiceCard) { try { window.practiceCard.destroy(); } catch (e) {} }
  box.innerHTML = '';
  window.practiceStripe = window.Stripe(key);
  window.practiceCard = window.practiceStripe.elements().create('card');
  window.practiceCard.mount(box);
})()"""

_TOKEN = """(async () => {
  try {
    const r = await window.practiceStripe.createToken(window.practiceCard);
    return r.error ? {error: String((r.error && r.error.message) || '')} : {token: r.token.id};
  } catch (e) { return {error: ''}; }
})()"""

_CONFIRM = """(async () => {
  try {
    const r = await window.practiceStripe.confirmCardPayment(%(secret)s);
    return r.error ? {error: String((r.error && r.error.message) || '')} : {status: r.paymentIntent.status};
  } catch (e) { return {error: ''}; }
})()"""


def mount(publishable_key: str, script_url: str) -> rx.event.EventSpec:
    """An event that shows the provider's card fields in the box (`card_box`)."""
    return rx.call_script(_MOUNT % {"url": json.dumps(script_url), "key": json.dumps(publishable_key),
                                    "box": json.dumps(BOX_ID)})


def read_token(callback) -> rx.event.EventSpec:
    """An event for the Pay button: the provider turns the typed card into a token; `callback({token} | {error})`."""
    return rx.call_script(_TOKEN, callback=callback)


def confirm(client_secret: str, callback) -> rx.event.EventSpec:
    """The card's 3-D Secure step, in the provider's own window; `callback({status} | {error})`."""
    return rx.call_script(_CONFIRM % {"secret": json.dumps(client_secret)}, callback=callback)
