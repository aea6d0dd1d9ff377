"""Old LOR boundaries (the 2006–2020 scheme): one payload -> ParseResult.

The layouts and rules are those of every Berlin boundary layer
(:mod:`smartchange_assets.berlin.lor_geometry.parser`), restricted to ``LOR_OLD`` layers: the
Senate's 2015 shapefiles (``SCHLUESSEL``, ``PLR_NAME``/``BZR_NAME``/``PRG_NAME``, no ``.prj``:
EPSG:25833 by the file name, cp1252 text) and the open-lifeworlds derivative as of 2019
(GeoJSON, ``id``/``name``/``area``). docs/sources/berlin-lor-old-geometry.md.

One known defect is corrected (:data:`CORRECTIONS`): in the derivative's Planungsraum layer
``06010102`` "Schloßstraße" occurs twice; the feature lying in Charlottenburg (lon 13.285–13.302,
lat 52.510–52.519) is really ``04030417`` Schloßstraße (Charlottenburg-Wilmersdorf), which the
file otherwise lacks. Its geometry is that of ``04030417`` in the Senate's 2015 layer
(intersection over union 0.9999999999), and with the correction the file's 448 keys are exactly
the RAUMID of the EWR files of 2019 and 2020. The staged row keeps ``code_published`` and the
reason in ``correction``.
"""

from __future__ import annotations

from smartchange_assets.berlin.lor_geometry.layouts import LOR_OLD
from smartchange_assets.berlin.lor_geometry.parser import Correction, parse_boundaries
from smartchange_assets.platform.parsing import ParseResult

CORRECTIONS = (
    Correction(
        published_code="06010102", published_name="Schloßstraße",
        bounds=(13.28, 52.50, 13.31, 52.525), code="04030417",
        reason="published as 06010102 (Schloßstraße, Steglitz), a second time; this feature "
               "lies in Charlottenburg (lon 13.285–13.302, lat 52.510–52.519) and is "
               "04030417 Schloßstraße of the Senate's 2015 layer (same geometry); "
               "docs/sources/berlin-lor-old-geometry.md §3"),
)


def parse_lor_old_boundaries(data: bytes, file_name: str) -> ParseResult:
    """Old-LOR Planungsraum, Bezirksregion and Prognoseraum layers."""
    return parse_boundaries(data, file_name, (LOR_OLD,), CORRECTIONS)
