"""Validate a catalogue against the official DCAT-AP 3.0.1 SHACL shapes with pyshacl.

The shapes are the SEMIC release files copied unchanged into ``publish/shapes/`` (see its
SOURCES.md): ``dcat-ap-SHACL.ttl`` (the constraints) and ``ranges.ttl`` (class ranges), whose
results are violations, and ``shapes_recommended.ttl`` (recommended properties), whose results
are warnings. A catalogue conforms when there is no violation; warnings are reported.
No inference: the catalogue must state the types the shapes ask for.

Known defect of the release (SEMICeu/DCAT-AP issue #448, open): node shapes list property
shapes that are defined nowhere (2 in ``dcat-ap-SHACL.ttl``, 5 with ``ranges.ttl``); Jena and
pyshacl refuse to load such a shapes graph. Those dangling ``sh:property`` references carry no
constraint, so they are dropped when the graph is loaded (the files stay unchanged) and their
number is reported with every validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SHAPES_DIR = Path(__file__).parent / "shapes"
SHAPE_FILES = ("dcat-ap-SHACL.ttl", "ranges.ttl", "shapes_recommended.ttl")

_SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Finding:
    severity: str        # Violation, Warning, Info
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    dangling_shape_refs: int = 0

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


@lru_cache(maxsize=1)
def _shapes():
    """The shapes graph and the number of dangling property-shape references dropped."""
    import rdflib
    from rdflib.namespace import SH

    graph = rdflib.Graph()
    for name in SHAPE_FILES:
        graph.parse(SHAPES_DIR / name, format="turtle")
    dangling = [(s, o) for s, o in graph.subject_objects(SH.property)
                if graph.value(o, SH.path) is None and (o, None, None) not in graph]
    for s, o in dangling:
        graph.remove((s, SH.property, o))
    return graph, len(dangling)


def validate_catalogue(document: str) -> Report:
    """Validate a JSON-LD catalogue (text). Raises ValueError if it is not JSON-LD at all."""
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    try:
        data.parse(data=document, format="json-ld")
    except Exception as exc:  # rdflib raises many kinds for broken input
        raise ValueError(f"catalogue is not readable JSON-LD: {exc}") from exc
    if len(data) == 0:
        raise ValueError("catalogue holds no statements")
    shapes, dangling = _shapes()
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                     allow_warnings=True, abort_on_first=False)
    findings = []
    sh = rdflib.Namespace(_SH)
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = str(results.value(result, sh.resultSeverity)).removeprefix(_SH)
        findings.append(Finding(severity, str(results.value(result, sh.focusNode)),
                                str(results.value(result, sh.resultPath) or ""),
                                str(results.value(result, sh.resultMessage) or "")))
    order = {"Violation": 0, "Warning": 1}
    return Report(tuple(sorted(findings, key=lambda f: (order.get(f.severity, 2), f.focus,
                                                         f.path))), dangling)
