"""Proposals for tests: a proposal template whose lines are new catalog services."""
from __future__ import annotations

from practice.services.proposals import templates
from practice.services.work import catalog


def make_proposal_template(session, actor, *, lines: list[dict], name: str = "Engagement 2027",
                           introduction: str = "Hello", terms: str = "Terms", require_payment: bool = False):
    """A template whose each line makes its service first: {"service": "Tax return", "rate_cents": 90000,
    "description": "...", then the line's own fields: "quantity", "price", "optional"}."""
    template_lines = []
    for line in lines:
        line = dict(line)
        service = catalog.create_service(session, actor, name=line.pop("service"), rate_cents=line.pop("rate_cents"),
                                         description=line.pop("description", ""))
        template_lines.append({"service_id": service.id, **line})
    return templates.save_template(session, actor, name=name, introduction=introduction, terms=terms,
                                   lines=template_lines, require_payment=require_payment)
