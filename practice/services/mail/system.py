"""The app's own emails (invitations, signing and approval requests), written in templates/emails/."""
from __future__ import annotations

from practice import config
from practice.services import templating


def render_system_email(name: str, context: dict) -> tuple[str, str]:
    """(subject, body) of templates/emails/<name>.txt, whose first line is `Subject: ...`."""
    source = (config.ROOT / "templates" / "emails" / f"{name}.txt").read_text(encoding="utf-8")
    first, _, rest = source.partition("\n")
    subject, body = templating.render_all([(first.removeprefix("Subject:").strip(), f"subject of {name}",
                                            templating.MAX_CHARS), (rest.lstrip("\n"), f"email {name}",
                                                                    templating.MAX_CHARS)], context)
    return " ".join(subject.split()), body
