"""What exists in the firm: pipelines and their stages, templates by kind, tags, team members.

The app writes the same JSON structure from its database (contract §8). Names are matched
ignoring case and leading/trailing spaces; unknown names get a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union

TEMPLATE_KINDS = ("email", "message", "organizer", "proposal", "invoice", "document", "folder", "task")


def name_key(name: str) -> str:
    """How names compare: ignoring case and leading/trailing spaces."""
    return name.strip().casefold()


def suggest(name: str, candidates: Iterable[str]) -> Optional[str]:
    """The closest candidate to a misspelt name, or None when nothing is close."""
    by_key = {}
    for c in candidates:
        by_key.setdefault(name_key(c), c)
    close = difflib.get_close_matches(name_key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def _find(name: str, candidates: Iterable[str]) -> Optional[str]:
    key = name_key(name)
    for c in candidates:
        if name_key(c) == key:
            return c
    return None


@dataclass(frozen=True)
class Catalog:
    """Names that exist in the firm. Build it with ``Catalog.from_json`` or ``Catalog.from_dict``."""

    pipelines: Mapping[str, Sequence[str]] = field(default_factory=dict)
    templates: Mapping[str, Sequence[str]] = field(default_factory=dict)
    tags: Sequence[str] = ()
    members: Sequence[str] = ()

    @classmethod
    def from_dict(cls, data: Mapping) -> "Catalog":
        """A catalog from the contract's JSON structure (missing parts are empty)."""
        if not isinstance(data, Mapping):
            raise ValueError("the catalog must be a JSON object")
        pipelines = data.get("pipelines") or {}
        templates = data.get("templates") or {}
        if not isinstance(pipelines, Mapping) or not isinstance(templates, Mapping):
            raise ValueError('"pipelines" and "templates" must be JSON objects')
        return cls(
            pipelines={str(p): tuple(str(s) for s in stages) for p, stages in pipelines.items()},
            templates={str(k): tuple(str(t) for t in names) for k, names in templates.items()},
            tags=tuple(str(t) for t in data.get("tags") or ()),
            members=tuple(str(m) for m in data.get("members") or ()),
        )

    @classmethod
    def from_json(cls, text_or_path: Union[str, Path]) -> "Catalog":
        """A catalog from JSON text or from a path to a JSON file."""
        if isinstance(text_or_path, Path) or not str(text_or_path).lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        else:
            text = str(text_or_path)
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> dict:
        return {
            "pipelines": {p: list(s) for p, s in self.pipelines.items()},
            "templates": {k: list(v) for k, v in self.templates.items()},
            "tags": list(self.tags),
            "members": list(self.members),
        }

    # ---- lookups: each returns the catalog's own spelling, or None
    def pipeline(self, name: str) -> Optional[str]:
        return _find(name, self.pipelines)

    def stages_of(self, pipeline: Optional[str]) -> tuple:
        """Stages of one pipeline, or of every pipeline (without repeats) when None."""
        if pipeline is not None:
            return tuple(self.pipelines.get(pipeline, ()))
        seen = {}
        for stages in self.pipelines.values():
            for s in stages:
                seen.setdefault(name_key(s), s)
        return tuple(seen.values())

    def stage(self, name: str, pipeline: Optional[str] = None) -> Optional[str]:
        return _find(name, self.stages_of(pipeline))

    def pipelines_with_stage(self, name: str) -> tuple:
        """Pipelines having a stage of this name (a trigger without a pipeline fires in each)."""
        return tuple(p for p, stages in self.pipelines.items() if _find(name, stages))

    def template(self, kind: str, name: str) -> Optional[str]:
        return _find(name, self.templates.get(kind, ()))

    def template_kinds_named(self, name: str) -> tuple:
        return tuple(k for k, names in self.templates.items() if _find(name, names))

    def tag(self, name: str) -> Optional[str]:
        return _find(name, self.tags)

    def member(self, name: str) -> Optional[str]:
        return _find(name, self.members)
