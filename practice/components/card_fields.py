"""The box the provider's card fields are mounted in (state/card_fields.py mounts and reads them)."""
from __future__ import annotations

import reflex as rx

from practice.state.card_fields import BOX_ID


def card_box() -> rx.Component:
    return rx.box(id=BOX_ID, width="100%", min_height="2.5em", padding="0.5em",
                  style={"border": f"1px solid {rx.color('gray', 7)}", "borderRadius": "6px",
                         "& input": {"maxWidth": "100%", "fontSize": "16px", "margin": "2px"}})
