"""Reading a publisher's header: columns by name, never by position.

Publishers reorder, rename and re-spell columns between years and exports. A parser declares
once, per canonical column, the spellings it accepts and which columns it cannot do without;
:class:`HeaderSpec` finds them in a header whatever the order, case, spacing, quoting or BOM,
and a header lacking a required column is a :class:`~.parsing.ParseError` that names the file,
the missing columns and the header as published. Two published columns that mean the same
canonical column are an error too (which one would be right is a guess).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from smartchange_assets.platform.parsing import ParseError

_SPACES = re.compile(r"[\s_\-]+")


def header_key(name: object) -> str:
    """The comparable form of a header cell: BOM, quotes and outer spaces stripped, lower case,
    runs of spaces, underscores and hyphens as one underscore (``'PM 10'``, ``'pm_10'`` and
    ``'Pm-10'`` all give ``pm_10``)."""
    text = str(name).replace("\ufeff", "").strip().strip('"').strip("'").strip()
    return _SPACES.sub("_", text.lower()).strip("_")


@dataclass(frozen=True)
class HeaderSpec:
    """Canonical column -> accepted spellings (compared by :func:`header_key`), and the
    canonical columns a payload must have."""

    aliases: Mapping[str, Sequence[str]]
    required: tuple[str, ...] = ()
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        lookup: dict[str, str] = {}
        for canonical, spellings in self.aliases.items():
            for spelling in (canonical, *spellings):
                key = header_key(spelling)
                if lookup.setdefault(key, canonical) != canonical:
                    raise ValueError(f"header spelling {spelling!r} is given for both "
                                     f"{lookup[key]!r} and {canonical!r}")
        unknown = [c for c in self.required if c not in self.aliases]
        if unknown:
            raise ValueError(f"required columns {unknown} have no spellings")
        object.__setattr__(self, "_lookup", lookup)

    def canonical(self, name: object) -> str | None:
        """The canonical column a published header cell names, or None (not ours)."""
        return self._lookup.get(header_key(name))

    def missing(self, header: Iterable[object]) -> list[str]:
        """Required canonical columns the header lacks."""
        present = {self.canonical(h) for h in header}
        return [c for c in self.required if c not in present]

    def positions(self, header: Sequence[object], file: str,
                  row: int | None = None) -> dict[str, int]:
        """Canonical column -> its position in ``header``; raises :class:`ParseError` naming the
        file when a required column is missing or a canonical column appears twice."""
        found: dict[str, int] = {}
        for i, name in enumerate(header):
            canonical = self.canonical(name)
            if canonical is None:
                continue
            if canonical in found:
                raise ParseError(file, f"columns {header[found[canonical]]!r} and "
                                 f"{name!r} both mean {canonical!r}", row=row, column=str(name))
            found[canonical] = i
        missing = [c for c in self.required if c not in found]
        if missing:
            raise ParseError(file, f"header lacks required column(s) {missing} "
                             f"(accepted spellings: "
                             f"{ {c: list(self.aliases[c]) for c in missing} }); header as "
                             f"published: {[str(h) for h in header]}", row=row)
        return found

    def names(self, header: Sequence[object], file: str,
              row: int | None = None) -> dict[str, str]:
        """Canonical column -> the header cell as published (for dict records)."""
        return {c: str(header[i]) for c, i in self.positions(header, file, row).items()}

    def find_header(self, rows: Iterable[Sequence[object]], file: str,
                    search: int = 20) -> tuple[int, Sequence[object]]:
        """(index, header) of the first of the first ``search`` rows that has every required
        column: exports put titles, notes or a location preamble above the header."""
        for i, row in enumerate(rows):
            if i >= search:
                break
            if row and not self.missing(row):
                return i, row
        raise ParseError(file, f"no header with the required columns "
                         f"{list(self.required)} in the first {search} lines")
