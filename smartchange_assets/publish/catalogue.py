"""One DCAT-AP 3.0.1 catalogue (JSON-LD) for every open dataset.

Built from the registry (:mod:`.datasets`: titles, descriptions, themes, keywords, licence,
cities) and each dataset's ``datapackage.json`` as written (version, modified date, temporal
coverage, and per file its byte size and SHA-256), so the catalogue describes exactly the files
on disk. Every node the shapes constrain by class is typed explicitly (``foaf:Agent``,
``dct:LicenseDocument``, ``skos:Concept`` with a ``skos:prefLabel`` …): the SHACL shapes check
``sh:class`` on the data graph without inference.

Plain JSON-LD with an inline context of prefixes only (no remote context, no network).
"""

from __future__ import annotations

from smartchange_assets.publish.config import CATALOGUE_FILE, DATAPACKAGE_FILE
from smartchange_assets.publish.datasets import (
    ADMS_LICENCE_TYPE,
    CC0,
    LANGUAGES,
    PLACES,
    THEMES,
    OpenDataset,
)

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "dcatap": "http://data.europa.eu/r5r/",
}

EU = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = EU + "data-theme"
PUBLISHER_NAME = "Smart Change Jakarta–Berlin"
FILE_TYPES = {"csv": ("CSV", "http://www.iana.org/assignments/media-types/text/csv",
                      "https://www.rfc-editor.org/rfc/rfc4180"),
              "parquet": ("PARQUET",
                          "http://www.iana.org/assignments/media-types/application/"
                          "vnd.apache.parquet",
                          "https://parquet.apache.org/docs/file-format/"),
              "geojson": ("GEOJSON",
                          "http://www.iana.org/assignments/media-types/application/geo+json",
                          "https://www.rfc-editor.org/rfc/rfc7946")}


def _iri(value: str) -> dict:
    return {"@id": value}


def _typed(value, datatype: str) -> dict:
    return {"@value": str(value), "@type": datatype}


def _texts(texts: dict[str, str]) -> list[dict]:
    return [{"@value": text, "@language": lang} for lang, text in sorted(texts.items())]


def _concept(iri: str, label: str) -> dict:
    return {"@id": iri, "@type": "skos:Concept",
            "skos:prefLabel": {"@value": label, "@language": "en"}}


def _licence(licence) -> dict:
    node = {"@type": "dct:LicenseDocument", "rdfs:label": licence.label,
            "dct:type": _concept(ADMS_LICENCE_TYPE + licence.licence_type,
                                 licence.licence_type)}
    return {"@id": licence.iri, **node} if licence.iri else node


def _agent(base: str) -> dict:
    # a cooperation of two city governments
    return {"@id": f"{base}{CATALOGUE_FILE}#publisher", "@type": "foaf:Agent",
            "foaf:name": PUBLISHER_NAME,
            "dct:type": _concept("http://purl.org/adms/publishertype/LocalAuthority",
                                 "Local Authority")}


def _place(city: str) -> dict:
    iri, label, centroid, bbox = PLACES[city]
    return {"@id": iri, "@type": "dct:Location", "skos:prefLabel": label,
            "dcat:centroid": _typed(centroid, "gsp:wktLiteral"),
            "dcat:bbox": _typed(bbox, "gsp:wktLiteral")}


def _theme(code: str) -> dict:
    return {"@id": f"{THEME_SCHEME}/{code}", "@type": "skos:Concept",
            "skos:prefLabel": {"@value": THEMES[code], "@language": "en"},
            "skos:inScheme": _iri(THEME_SCHEME)}


def _language(tag: str) -> dict:
    return {"@id": f"{EU}language/{LANGUAGES[tag]}", "@type": "dct:LinguisticSystem"}


def _distribution(base: str, dataset: OpenDataset, resource: dict, modified: str) -> dict:
    fmt = resource["format"]
    code, media_type, standard = FILE_TYPES[fmt]
    url = f"{base}{dataset.name}/{resource['path']}"
    return {
        "@id": f"{url}#distribution", "@type": "dcat:Distribution",
        "dct:title": f"{dataset.title['en']} ({code})",
        "dct:description": f"{resource['rows']} "
                           f"{'features' if fmt == 'geojson' else 'rows'}; data dictionary in "
                           f"{DATAPACKAGE_FILE}",
        "dcat:accessURL": _iri(url),
        "dcat:downloadURL": _iri(url),
        "dcat:mediaType": {"@id": media_type, "@type": "dct:MediaType"},
        "dct:format": {"@id": f"{EU}file-type/{code}", "@type": "dct:MediaTypeOrExtent"},
        "dct:conformsTo": {"@id": standard, "@type": "dct:Standard"},
        "dcat:byteSize": _typed(resource["bytes"], "xsd:nonNegativeInteger"),
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256",
                               "@type": "spdx:ChecksumAlgorithm"},
            "spdx:checksumValue": _typed(resource["hash"].removeprefix("sha256:"),
                                         "xsd:hexBinary")},
        "dct:license": _licence(dataset.licence),
        "dct:modified": _typed(modified, "xsd:dateTime"),
        "dcatap:availability": _concept(f"{EU}planned-availability/STABLE", "stable"),
    }


def dataset_node(base: str, dataset: OpenDataset, package: dict) -> dict:
    modified = package["created"]
    temporal = package["temporal"]
    node = {
        "@id": f"{base}{dataset.name}/#dataset", "@type": "dcat:Dataset",
        "dct:identifier": dataset.name,
        "dct:title": _texts(dataset.title),
        "dct:description": _texts(dataset.description),
        "dct:publisher": _agent(base),
        "dcat:contactPoint": {"@type": ["vcard:Kind", "vcard:Organization"],
                              "vcard:fn": PUBLISHER_NAME,
                              "vcard:hasURL": _iri(base)},
        "dcat:theme": [_theme(code) for code in dataset.themes],
        "dcat:keyword": [{"@value": word, "@language": lang}
                         for lang, words in sorted(dataset.keywords.items()) for word in words],
        "dct:spatial": [_place(city) for city in dataset.cities],
        "dct:language": [_language(tag) for tag in dataset.data_languages],
        "dct:modified": _typed(modified, "xsd:dateTime"),
        "dcat:version": package["version"],
        "dct:accessRights": {"@id": f"{EU}access-right/PUBLIC", "@type": "dct:RightsStatement"},
        "dct:accrualPeriodicity": {"@id": f"{EU}frequency/DAILY", "@type": "dct:Frequency"},
        "dct:provenance": {"@type": "dct:ProvenanceStatement",
                           "rdfs:label": dataset.provenance},
        # documentation: the data dictionary, and documents about the dataset published
        # beside it (the comparison report, an HTML page: documentation of the data rather
        # than a distribution of it)
        "foaf:page": [{"@id": f"{base}{dataset.name}/{DATAPACKAGE_FILE}",
                       "@type": "foaf:Document"},
                      *({"@id": f"{base}{page}", "@type": "foaf:Document"}
                        for page in dataset.pages)],
        "dcat:distribution": [_distribution(base, dataset, r, modified)
                              for r in package["resources"]],
    }
    if temporal["start"] and temporal["end"]:
        node["dct:temporal"] = {"@type": "dct:PeriodOfTime",
                                "dcat:startDate": _typed(temporal["start"], "xsd:date"),
                                "dcat:endDate": _typed(temporal["end"], "xsd:date")}
    return node


def build_catalogue(base: str, entries: list[tuple[OpenDataset, dict]],
                    issued: str | None = None) -> dict:
    """The JSON-LD document; ``entries`` pairs each dataset with its ``datapackage.json``;
    ``issued``: the catalogue's first publication (ISO date-time)."""
    modified = max((p["created"] for _, p in entries), default=None)
    cities = sorted({c for d, _ in entries for c in d.cities})
    catalogue = {
        "@id": f"{base}{CATALOGUE_FILE}", "@type": "dcat:Catalog",
        "dct:title": _texts({"en": "Smart Change open data: Jakarta and Berlin",
                             "id": "Data terbuka Smart Change: Jakarta dan Berlin",
                             "de": "Offene Daten von Smart Change: Jakarta und Berlin"}),
        "dct:description": _texts({
            "en": "Open datasets of the Jakarta–Berlin Smart Change cooperation: city data "
                  "of both cities, cleaned, quality-checked and comparable. Personal data is "
                  "kept in a closed tier; what is here is pseudonymised, coarsened or "
                  "aggregated.",
            "id": "Dataset terbuka kerja sama Smart Change Jakarta–Berlin. Data pribadi "
                  "disimpan di tingkat tertutup; yang ada di sini telah dipseudonimkan, "
                  "disamarkan atau diagregasi.",
            "de": "Offene Datensätze der Kooperation Smart Change Jakarta–Berlin. "
                  "Personenbezogene Daten bleiben in einem geschlossenen Bereich; was hier "
                  "steht, ist pseudonymisiert, vergröbert oder aggregiert."}),
        "dct:publisher": _agent(base),
        "foaf:homepage": {"@id": base, "@type": "foaf:Document"},
        "dct:language": [_language(tag) for tag in ("en", "id", "de")],
        "dct:license": _licence(CC0),
        "dct:spatial": [_place(city) for city in cities],
        "dcat:themeTaxonomy": {"@id": THEME_SCHEME, "@type": "skos:ConceptScheme",
                               "dct:title": {"@value": "Data theme", "@language": "en"}},
        "dcat:dataset": [dataset_node(base, d, p) for d, p in entries],
    }
    if modified:
        catalogue["dct:modified"] = _typed(modified, "xsd:dateTime")
    if issued or modified:
        catalogue["dct:issued"] = _typed(issued or modified, "xsd:dateTime")
    return {"@context": CONTEXT, **catalogue}
