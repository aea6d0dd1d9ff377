"""Resolve Jakarta area names, as the datasets write them, to Kemendagri 2025 codes.

Pure: no Dagster, no database. Built from two frames (the Kemendagri rows of
``staging.jakarta_admin_areas`` and ``staging.jakarta_area_aliases``), then asked one name
triple at a time::

    index = AreaIndex.from_frames(areas, aliases)
    index.resolve("JAKARTA TIMUR", "MAKASAR", "MAKA")
    # Resolution(code='31.75.08.1001', level='kelurahan', method='alias', note=...)

How a triple (kota, kecamatan, kelurahan) is resolved (docs/sources/jakarta-admin-areas.md §4):

* Names are compared after :func:`~smartchange_assets.jakarta.admin_areas.names.normalise_name`,
  so case, spacing and punctuation never matter (``KALI DERES`` = ``Kalideres``,
  ``KAB.ADM.KEP.SERIBU`` = ``Kabupaten Administrasi Kepulauan Seribu``).
* The finest level given is the answer: kelurahan, else kecamatan, else kota. Placeholders
  (``nihil``, ``-``, empty) are not names; a triple of placeholders only is ``placeholder``.
* Each level is looked up under the parent already resolved: exact name, then a curated alias.
  Publishers do write wrong parents (``JAKARTA BARAT,PASAR MINGGU``, ``CIPAYUNG,KAMPUNG
  MELAYU``), so a name not found under its parent is looked up city-wide; a single hit is
  accepted and flagged ``parent_mismatch`` in the note.
* Fuzzy matching (difflib, :data:`FUZZY_CUTOFF`) is the last resort and only inside a parent
  that itself matched by name (never across a kecamatan boundary, never city-wide). A name that
  is the start of exactly one name city-wide and of one name inside that parent is a truncation
  (``MAKA`` for Makasar) and is accepted as fuzzy too.
* Anything else is ``unresolved``; the note says what was tried. Nothing is guessed silently.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from smartchange_assets.jakarta.admin_areas.codes import KEMENDAGRI, NAMED_LEVELS
from smartchange_assets.jakarta.admin_areas.names import normalise_name
from smartchange_assets.platform.names import is_missing

EXACT, ALIAS, FUZZY, PLACEHOLDER, UNRESOLVED = (
    "exact", "alias", "fuzzy", "placeholder", "unresolved")
METHODS = (EXACT, ALIAS, FUZZY, PLACEHOLDER, UNRESOLVED)
RESOLVED_METHODS = (EXACT, ALIAS, FUZZY)
PARENT_MISMATCH = "parent_mismatch"

# The most similar pair of sibling names in Kemendagri 2025 scores 0.833 (JAKARTA UTARA /
# JAKARTA BARAT; the closest kelurahan pair city-wide 0.875): a cutoff above both cannot
# confuse two real areas under one parent, yet catches a doubled or dropped letter
# (CILIINCING -> CILINCING scores 0.947).
FUZZY_CUTOFF = 0.88
# A truncated name needs this many letters before it is read as the start of a longer one.
MIN_TRUNCATED_LETTERS = 4

# Placeholders every dataset uses; more come from the alias table (kind 'placeholder').
# "" covers empty cells and punctuation-only ones like "-" (no letters survive normalising).
BUILTIN_PLACEHOLDERS = frozenset({"", "NIHIL"})


@dataclass(frozen=True)
class Resolution:
    """Where a name triple landed: a Kemendagri code at some level, or why not."""

    code: str | None
    level: str | None
    method: str
    note: str = ""

    @property
    def resolved(self) -> bool:
        return self.method in RESOLVED_METHODS


@dataclass(frozen=True)
class Area:
    code: str
    level: str
    name: str
    norm: str
    parent: str | None


@dataclass(frozen=True)
class _Match:
    area: Area
    method: str
    note: str = ""
    trusted: bool = True  # matched by name under its given parent: fuzzy may build on it


class AreaIndex:
    """Kemendagri areas and curated aliases, indexed for :meth:`resolve`."""

    def __init__(self, areas: list[Area], aliases: list[tuple[str, str, str]],
                 placeholders: frozenset[str] = BUILTIN_PLACEHOLDERS):
        self.areas = {a.code: a for a in areas}
        self.placeholders = frozenset(placeholders) | BUILTIN_PLACEHOLDERS
        self._by_name: dict[tuple[str, str], list[Area]] = defaultdict(list)
        self._by_alias: dict[tuple[str, str], list[Area]] = defaultdict(list)
        self._children: dict[str, list[Area]] = defaultdict(list)
        for a in areas:
            self._by_name[(a.level, a.norm)].append(a)
            if a.parent:
                self._children[a.parent].append(a)
        for alias_norm, level, code in aliases:
            area = self.areas.get(code)
            if area is None or area.level != level:
                raise ValueError(f"alias {alias_norm!r} points to {code!r}, which is not a "
                                 f"{level} in the area list")
            if area not in self._by_alias[(level, alias_norm)]:
                self._by_alias[(level, alias_norm)].append(area)

    @classmethod
    def from_frames(cls, areas: pd.DataFrame, aliases: pd.DataFrame | None = None) -> AreaIndex:
        """From ``staging.jakarta_admin_areas`` (only Kemendagri rows are used) and
        ``staging.jakarta_area_aliases``. Names are normalised again here, so an index never
        mixes two versions of :func:`~.names.normalise_name`."""
        if "code_system" in areas.columns:
            areas = areas[areas["code_system"] == KEMENDAGRI]
        items = [Area(r.code, r.level, r.name, normalise_name(r.name),
                      None if is_missing(r.parent_code) else r.parent_code)
                 for r in areas.itertuples() if r.level in NAMED_LEVELS]
        alias_rows, placeholders = [], set()
        if aliases is not None and len(aliases):
            for r in aliases.itertuples():
                text = getattr(r, "alias", None)
                norm = normalise_name(text) if text is not None else r.alias_normalised
                if getattr(r, "kind", "alias") == "placeholder":
                    placeholders.add(norm)
                else:
                    alias_rows.append((norm, r.level, r.kemendagri_code))
        if not items:
            raise ValueError("no Kemendagri kota/kecamatan/kelurahan rows to index")
        return cls(items, alias_rows, frozenset(placeholders))

    # -- resolving ------------------------------------------------------------------------
    def resolve(self, kota: object = None, kecamatan: object = None,
                kelurahan: object = None) -> Resolution:
        """Resolve at the finest level given; see the module docstring for the rules."""
        given, notes = {}, []
        for level, raw in zip(NAMED_LEVELS, (kota, kecamatan, kelurahan), strict=True):
            text = "" if is_missing(raw) else str(raw).strip()
            norm = normalise_name(text)
            if norm in self.placeholders:
                if text:
                    notes.append(f"{level} {text!r} is a placeholder")
                continue
            given[level] = (text, norm)
        if not given:
            return Resolution(None, None, PLACEHOLDER, "; ".join(notes) or "no area name given")

        matched: dict[str, _Match] = {}
        parent: _Match | None = None
        finest_given = [level for level in NAMED_LEVELS if level in given][-1]
        for level in NAMED_LEVELS:
            if level not in given:
                continue
            text, norm = given[level]
            match = self._match_level(level, norm, parent, given)
            if match is None:
                where = f" under {parent.area.name} ({parent.area.code})" if parent else ""
                notes.append(f"{level} {text!r} not found{where}")
                if level == finest_given:
                    return Resolution(None, None, UNRESOLVED, "; ".join(notes))
                continue  # a coarser name we cannot place: look the finer one up without it
            if match.method == ALIAS:
                notes.append(f"{level} {text!r} is an alias of {match.area.name}")
            elif match.method == FUZZY:
                notes.append(f"{level} {text!r} {match.note}")
            matched[level] = match
            parent = match
        finest = matched[finest_given]
        notes += self._parent_mismatches(finest.area, given, matched)
        return Resolution(finest.area.code, finest.area.level, finest.method, "; ".join(notes))

    def _match_level(self, level: str, norm: str, parent: _Match | None,
                     given: dict) -> _Match | None:
        tables = ((EXACT, self._by_name), (ALIAS, self._by_alias))
        under = self._under(parent.area, level) if parent else None
        for method, table in tables:
            hits = [a for a in table.get((level, norm), [])
                    if under is None or a.code in under]
            if len(hits) == 1:
                return _Match(hits[0], method, trusted=parent is None or parent.trusted)
        if parent is not None:
            # Publishers write wrong parents: a name unique city-wide is taken, and flagged.
            for method, table in tables:
                hits = table.get((level, norm), [])
                if len(hits) == 1:
                    return _Match(hits[0], method, trusted=False)
        if level == "kota":
            return self._fuzzy(level, norm, list(self._level(level).values()))
        if parent is None or not parent.trusted:
            return None  # fuzzy only inside a parent that matched by name
        if level == "kelurahan" and "kecamatan" in given and parent.area.level != "kecamatan":
            return None  # never fuzzy across a kecamatan the row names but we could not place
        return self._fuzzy(level, norm, list(under.values()))

    def _fuzzy(self, level: str, norm: str, candidates: list[Area]) -> _Match | None:
        """One candidate above the cutoff, or the one name this truncated name begins.
        Fuzzy matches are never trusted as parents: no fuzzy match builds on another."""
        if not norm or not candidates:
            return None
        scored = [(difflib.SequenceMatcher(None, norm, a.norm).ratio(), a) for a in candidates]
        good = [(score, a) for score, a in scored if score >= FUZZY_CUTOFF]
        if len(good) == 1:
            score, area = good[0]
            return _Match(area, FUZZY, f"fuzzy-matched to {area.name} (similarity "
                          f"{score:.2f})", trusted=False)
        if not good and len(norm) >= MIN_TRUNCATED_LETTERS:
            starts = [a for a in candidates if a.norm.startswith(norm)]
            city_wide = [a for a in self._level(level).values() if a.norm.startswith(norm)]
            if len(starts) == 1 and city_wide == starts:
                return _Match(starts[0], FUZZY, f"read as truncated {starts[0].name}",
                              trusted=False)
        return None

    def _parent_mismatches(self, area: Area, given: dict, matched: dict[str, _Match]) -> list:
        """A note for every level the row names whose area is not an ancestor of the answer."""
        ancestors = {}
        code = area.parent
        while code in self.areas:
            ancestors[self.areas[code].level] = self.areas[code]
            code = self.areas[code].parent
        notes = []
        for level, match in matched.items():
            true_parent = ancestors.get(level)
            if true_parent is not None and match.area.code != true_parent.code:
                notes.append(f"{PARENT_MISMATCH}: {level} {given[level][0]!r} is "
                             f"{match.area.code}, but {area.name} ({area.code}) lies in "
                             f"{true_parent.name} ({true_parent.code})")
        return notes

    def _under(self, parent: Area, level: str) -> dict[str, Area]:
        """Areas of ``level`` below ``parent`` (children, or grandchildren of a kota)."""
        found, todo = {}, list(self._children.get(parent.code, []))
        while todo:
            a = todo.pop()
            if a.level == level:
                found[a.code] = a
            else:
                todo.extend(self._children.get(a.code, []))
        return found

    def _level(self, level: str) -> dict[str, Area]:
        return {code: a for code, a in self.areas.items() if a.level == level}
