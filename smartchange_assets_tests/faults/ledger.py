"""What the fault matrix records per case, for ``make faults``' summary lines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Case:
    name: str
    runs: int = 0
    survived: int = 0
    lost_rows: int = 0
    unexplained: list[str] = field(default_factory=list)


CASES: dict[str, Case] = {}


def record(name: str, survived: bool, lost_rows: int = 0, unexplained: str | None = None,
           ) -> None:
    case = CASES.setdefault(name, Case(name))
    case.runs += 1
    case.survived += bool(survived)
    case.lost_rows += lost_rows
    if unexplained:
        case.unexplained.append(unexplained)


def summary_lines() -> list[str]:
    lines = [f"fault {c.name}: runs {c.runs} survived {c.survived} lost_rows {c.lost_rows}"
             f"{'' if not c.unexplained else ' unexplained ' + str(len(c.unexplained))}"
             for c in sorted(CASES.values(), key=lambda c: c.name)]
    runs = sum(c.runs for c in CASES.values())
    lines.append(f"faults {runs} survived {sum(c.survived for c in CASES.values())} "
                 f"lost_rows {sum(c.lost_rows for c in CASES.values())} "
                 f"unexplained {sum(len(c.unexplained) for c in CASES.values())}")
    return lines
