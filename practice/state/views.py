"""Small view records sent to the browser (never whole database rows)."""
from __future__ import annotations

import dataclasses

from practice.services.work import accounts


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



def account_options(session, actor, text: str) -> list[Option]:
    """What an account picker offers for `text`: the first 8 accounts the actor sees whose name matches."""
    rows, _total = accounts.list_accounts(session, actor, search=text, page_size=8)
    return [Option(value=str(r.id), label=r.name) for r in rows]
