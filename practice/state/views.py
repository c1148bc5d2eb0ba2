"""Small view records sent to the browser (never whole database rows)."""
from __future__ import annotations

import dataclasses



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

