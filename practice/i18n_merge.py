"""A git merge driver for the gettext catalogs (`practice/locale/**.po`, `.pot`), so that two branches that each
translate other pages merge without conflicts: every entry either side added is kept, an entry either side
removed goes, and where both sides touched the same entry the side that changed its translation wins (ours when
both did; a translated or non-fuzzy one over an empty or fuzzy one).

Registered once per clone:

    git config merge.pocatalog.driver "python -m practice.i18n_merge %O %A %B"

with `.gitattributes` naming it for `*.po` and `*.pot`. Git calls it with the common ancestor, our version (which
it overwrites with the result) and theirs; exit 0 means merged. After a merge, `make i18n` re-extracts and puts
the catalogs in their usual form (this writes them as `make i18n-update` does: sorted, unwrapped).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po


def _read(path: str | Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def _key(message: Message):
    return message.id if isinstance(message.id, str) else tuple(message.id)


def _entries(catalog: Catalog) -> dict:
    return {(_key(m), m.context): m for m in catalog if m.id}


def _better(ours: Message, theirs: Message, base: Message | None) -> Message:
    """Which side's version of one entry to keep."""
    def text(m):
        return m.string if isinstance(m.string, str) else tuple(m.string)
    if base is not None and text(ours) == text(base) and (ours.fuzzy == base.fuzzy):
        return theirs  # only theirs changed it
    if (not any(ours.string) or ours.fuzzy) and any(theirs.string) and not theirs.fuzzy:
        return theirs
    return ours


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> Catalog:
    """The merged catalog, with our header."""
    old, mine, other = _entries(base), _entries(ours), _entries(theirs)
    keys = [k for k in mine if k in other or k not in old] + [k for k in other if k not in mine and k not in old]
    result = Catalog(locale=ours.locale, domain=ours.domain, header_comment=ours.header_comment,
                     project=ours.project, version=ours.version, charset=ours.charset, fuzzy=ours.fuzzy)
    result.mime_headers = ours.mime_headers
    for key in keys:
        if key in mine and key in other:
            chosen = _better(mine[key], other[key], old.get(key))
        else:
            chosen = mine.get(key) or other[key]
        result[chosen.id] = chosen
    return result


def _has_locations(path: str | Path) -> bool:
    return any(line.startswith("#:") for line in Path(path).read_text(encoding="utf-8").splitlines())


def main(argv: list[str]) -> int:
    base_path, ours_path, theirs_path = argv[:3]
    try:
        merged = merge(_read(base_path), _read(ours_path), _read(theirs_path))
    except Exception as err:  # an unreadable side: let git report a conflict rather than guess
        print(f"i18n_merge: could not merge catalogs: {err}", file=sys.stderr)
        return 1
    locations = _has_locations(ours_path) or _has_locations(theirs_path)
    with open(ours_path, "wb") as out:
        write_po(out, merged, width=None, sort_output=True, no_location=not locations, include_previous=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
