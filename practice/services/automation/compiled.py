"""The newest rules compiled against the firm's names: once per version and per change of names."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import text
from sqlmodel import Session

import rules
from practice.db import driver_connection
from practice.i18n import N_, _
from practice.models import RuleSet
from practice.services.automation.rulesets import catalog_from_db, current_ruleset
from practice.services.firm import get_firm


_compiled: dict[tuple, tuple] = {}


# Everything the compiled rules depend on, read in one statement: the newest version, the firm's time
# zone and the names rules may use (with the ids of tags and members, which actions look up). The
# same answer means the same compiled rules, so a process compiles and checks once per change
# instead of rebuilding the catalog on every transaction. SQLite only (the default setup); other
# databases take the full path every transaction.
_TOKEN_SQL = text("""
SELECT (SELECT id || '|' || created_at FROM ruleset ORDER BY id DESC LIMIT 1),
       (SELECT timezone FROM firm ORDER BY id LIMIT 1),
       (SELECT group_concat(x, char(30)) FROM (
            SELECT p.name || char(31) || s.name || char(31) || s.position || char(31) || s.id AS x
            FROM stage s JOIN pipeline p ON p.id = s.pipeline_id ORDER BY p.name, s.position, s.id)),
       (SELECT group_concat(x, char(30)) FROM (SELECT id || char(31) || name AS x FROM tag ORDER BY id)),
       (SELECT group_concat(x, char(30)) FROM (
            SELECT id || char(31) || name AS x FROM teammember WHERE active ORDER BY id)),
       (SELECT group_concat(name, char(30)) FROM (SELECT name FROM emailtemplate ORDER BY name)),
       (SELECT group_concat(name, char(30)) FROM (SELECT name FROM proposaltemplate ORDER BY name)),
       (SELECT group_concat(name, char(30)) FROM (SELECT name FROM documenttemplate ORDER BY name))
""")
_by_token: dict[tuple, tuple] = {}


def _token(session: Session) -> tuple | None:
    driver = driver_connection(session)
    if driver is None:
        return None
    return tuple(driver.execute(_TOKEN_SQL.text).fetchone())


def compiled_rules(session: Session) -> tuple[RuleSet | None, rules.CompiledRuleSet | None, str]:
    """The newest version compiled against today's names; (version, compiled, problem sentence).
    Looked up once per transaction: a batch of events shares it (no action renames anything)."""
    cached = session.info.get("practice_compiled")
    if cached is not None and session.in_transaction():
        return cached
    token = _token(session)
    session.info["practice_token"] = token
    if token is not None and token[0] is None:
        found = (None, None, "")  # no rules saved
    elif token is not None and token[1] is not None and token in _by_token:
        found = _by_token[token]
    else:
        found = _compiled_rules(session)
        if token is not None and token[1] is not None:
            version = found[0]
            # A detached copy: the cache outlives the session that read it.
            found = (RuleSet(id=version.id, text=version.text, created_at=version.created_at), *found[1:])
            if len(_by_token) > 32:
                _by_token.clear()
            _by_token[token] = found
    session.info["practice_compiled"] = found
    return found


def _ascii_lower(name: str) -> str:
    # SQLite's lower() folds ASCII letters only; `_tag` compares with it.
    return name.translate(_ASCII_FOLD)


_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_names: dict[tuple, tuple] = {}


def cached_names(session: Session) -> tuple[dict, dict] | None:
    """(active members, tags) by the key `_member` and `_tag` match on → (id, name), read from this
    transaction's rules token (`compiled_rules` first); None without one (not SQLite)."""
    token = session.info.get("practice_token")
    if token is None:
        return None
    hit = _names.get(token[3:5])
    if hit is None:
        def parse(joined, key):
            out: dict[str, tuple[int, str]] = {}
            for item in joined.split("\x1e") if joined else []:
                item_id, name = item.split("\x1f", 1)
                out.setdefault(key(name), (int(item_id), name))
            return out
        try:
            hit = (parse(token[4], lambda n: n.strip().lower()), parse(token[3], _ascii_lower))
        except ValueError:  # a name holding the separators: let the per-event path look names up
            return None
        if len(_names) > 32:
            _names.clear()
        _names[token[3:5]] = hit
    return hit


def _compiled_rules(session: Session) -> tuple[RuleSet | None, rules.CompiledRuleSet | None, str]:
    version = current_ruleset(session)
    if version is None:
        return None, None, ""
    catalog = catalog_from_db(session)
    tz = get_firm(session).timezone
    fingerprint = hashlib.sha256(json.dumps(catalog.to_dict(), sort_keys=True).encode()).hexdigest()
    # Keyed by the text itself, not only the version id: two databases (tests, firms) can share ids.
    key = (hashlib.sha256(version.text.encode()).hexdigest(), fingerprint, tz)
    hit = _compiled.get(key)
    if hit is None:
        try:
            hit = (rules.compile_rules(rules.check(version.text, catalog), tz=tz), "")
        # The problem is kept as words (its English text keeps the template and values) and told in each reader's
        # language where it is shown (`told_problem`, a run's reason): this cache serves every reader of the process.
        except rules.RulesErrors as errs:
            first = errs.errors[0]
            hit = (None, rules.Words(N_("The saved rules no longer match the firm's names (line {line}: {problem}). "
                                        "Open the rules editor, fix them and save."),
                                     line=first.line, problem=first.message))
        except rules.RulesError as err:
            hit = (None, rules.Words(N_("The saved rules cannot be used: {problem}."), problem=err.message))
        if len(_compiled) > 32:
            _compiled.clear()
        _compiled[key] = hit
    return version, hit[0], hit[1]


def told_problem(problem) -> str:
    """The problem `compiled_rules` found, in the reader's language."""
    return rules.said(problem, rules.kept(problem), _)


def _rules_sending(session: Session, kind: str, name: str) -> list[str]:
    _, compiled, _ = compiled_rules(session)
    wanted = " ".join(name.split()).lower()
    return [rule.name for rule in (compiled.rules if compiled else [])
            if any(type(a.ast).__name__ == "Send" and a.ast.kind == kind
                   and " ".join(a.ast.template.value.split()).lower() == wanted for a in rule.actions)]


def rules_sending_proposal(session: Session, name: str) -> list[str]:
    """Names of the saved rules that send the proposal template called `name` (proposals ask before a rename
    or a delete: a rule naming a missing template would stop the whole rules file from running)."""
    return _rules_sending(session, "proposal", name)


def rules_sending_organizer(session: Session, name: str) -> list[str]:
    """Names of the saved rules that send the organizer template called `name` (`send organizer "T"`)."""
    return _rules_sending(session, "organizer", name)


def rules_sending_invoice(session: Session, name: str) -> list[str]:
    """Names of the saved rules that send the invoice template called `name` (`send invoice "T" to account`)."""
    return _rules_sending(session, "invoice", name)
