"""Small view records sent to the browser (never whole database rows), and where links to the backend point."""
from __future__ import annotations

import dataclasses

import reflex as rx


@dataclasses.dataclass
class TagChip:
    name: str = ""
    color: str = ""


@dataclasses.dataclass
class Option:
    value: str = ""
    label: str = ""


def chips(pairs) -> list[TagChip]:
    return [TagChip(name=n, color=c) for n, c in pairs]


def backend_url() -> str:
    """The backend's address, before file and page-image links (in development the pages and the backend are on
    different ports; downloads come from the backend)."""
    return rx.config.get_config().api_url.rstrip("/")
