"""The open datasets and what the catalogue says about each: the one place for their metadata.

Each :class:`OpenDataset` names an ``open`` table (tiers) and gives titles and descriptions in
English plus Indonesian and/or German, themes (EU data-theme vocabulary), keywords, the cities
it covers, how to compute its temporal coverage, its licence, its provenance and the units of
its columns. Publishing another open table (e.g. a core or mart table of the conformed layer)
is ``open_copy(TABLE)`` in ``tiers/open_copies.py`` plus one entry here.

Licences are a decision recorded here, not inferred: an upstream without a stated licence is
published with :data:`NOT_SPECIFIED` rather than a licence we cannot grant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smartchange_assets.publish.config import REPORT_FILE
from smartchange_assets.tiers.open_areas import AREA_SHAPES, GEOMETRY_COLUMN
from smartchange_assets.tiers.open_copies import OPEN_COPIES
from smartchange_assets.tiers.open_reports import (
    AGGREGATE_OPEN,
    BERLIN_OPEN,
    JAKARTA_OPEN,
    MIN_CELL_REPORTS,
)
from smartchange_assets.tiers.table import TierTable

ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"


@dataclass(frozen=True)
class Licence:
    label: str
    iri: str | None     # dct:license; None: no licence document exists (a labelled node)
    ckan_id: str        # CKAN's license_id
    licence_type: str   # ADMS licence type (dct:type of the licence document)


CC_BY_4 = Licence("Creative Commons Attribution 4.0 International (CC BY 4.0)",
                  "http://creativecommons.org/licenses/by/4.0/", "cc-by", "Attribution")
DL_DE_BY_2 = Licence("Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
                     "https://www.govdata.de/dl-de/by-2-0", "dl-de-by-2.0", "Attribution")
CC0 = Licence("Creative Commons CC0 1.0 Universal",
              "http://creativecommons.org/publicdomain/zero/1.0/", "cc-zero", "PublicDomain")
NOT_SPECIFIED = Licence("No licence stated by the publisher (crm.jakarta.go.id shows the "
                        "reports publicly without one); re-use at your own assessment",
                        None, "notspecified", "UnknownIPR")

# the published boundaries combine layers under different terms, one of them without a licence
BOUNDARIES_AS_PUBLISHED = Licence(
    "No single licence: the Berlin shapes are the Senate's LOR layers (CC BY 3.0 DE) and the "
    "ALKIS Bezirke (dl-de/by-2-0), the Jakarta shapes Dukcapil's kelurahan layer, for which "
    "neither the ministry nor the redistributor states a licence; re-use at your own "
    "assessment", None, "notspecified", "UnknownIPR")

# EU data-theme vocabulary (DCAT-AP's theme taxonomy)
THEMES = {
    "ENVI": "Environment", "TRAN": "Transport", "SOCI": "Population and society",
    "GOVE": "Government and public sector", "REGI": "Regions and cities", "HEAL": "Health",
    "ECON": "Economy and finance",
}

# GeoNames features, with a centroid and a bounding box (WKT, lon lat; Jakarta's box includes
# the Kepulauan Seribu regency to the north)
PLACES = {
    "jakarta": ("https://sws.geonames.org/1642911/", "Jakarta", "POINT(106.8456 -6.2088)",
                "POLYGON((106.39 -6.38,106.98 -6.38,106.98 -5.19,106.39 -5.19,106.39 -6.38))"),
    "berlin": ("https://sws.geonames.org/2950159/", "Berlin", "POINT(13.4050 52.5200)",
               "POLYGON((13.08 52.33,13.77 52.33,13.77 52.68,13.08 52.68,13.08 52.33))"),
}

# language of the data values (EU language authority)
LANGUAGES = {"en": "ENG", "id": "IND", "de": "DEU"}


@dataclass(frozen=True)
class OpenDataset:
    table: TierTable
    title: dict[str, str]            # language tag -> text; "en" and "id" and/or "de"
    description: dict[str, str]
    themes: tuple[str, ...]
    keywords: dict[str, tuple[str, ...]]
    cities: tuple[str, ...]
    temporal_sql: str                # SELECT start_date, end_date (read as the open reader)
    licence: Licence
    provenance: str
    data_languages: tuple[str, ...]
    units: dict[str, str] = field(default_factory=dict)
    sources: tuple[tuple[str, str], ...] = ()   # (title, url) of the upstream publications
    # the column holding each row's shape (GeoJSON geometry text, EPSG:4326): a GeoJSON
    # FeatureCollection is published next to the CSV and Parquet files
    geojson_geometry: str | None = None
    # documents about the dataset published beside it (paths under the publish folder, e.g.
    # the comparison report): dcat foaf:page in the catalogue
    pages: tuple[str, ...] = ()

    def __post_init__(self):
        if self.geojson_geometry and self.geojson_geometry not in self.table.table.column_names:
            raise ValueError(f"{self.name}: no column {self.geojson_geometry!r} for GeoJSON")
        for texts in (self.title, self.description):
            if "en" not in texts or not ({"id", "de"} & set(texts)):
                raise ValueError(f"{self.name}: title and description need English and "
                                 "Indonesian or German")
        unknown = set(self.themes) - set(THEMES)
        if unknown or set(self.cities) - set(PLACES):
            raise ValueError(f"{self.name}: unknown theme or city")
        if not self.table.is_open:
            raise ValueError(f"{self.name}: only open-tier tables are published")

    @property
    def name(self) -> str:
        return self.table.table.name

    @property
    def file_names(self) -> tuple[str, ...]:
        """The files published for the dataset (besides datapackage.json)."""
        extra = (f"{self.name}.geojson",) if self.geojson_geometry else ()
        return (f"{self.name}.csv", f"{self.name}.parquet", *extra)


def _copy(name: str) -> TierTable:
    return next(t for t in OPEN_COPIES if t.table.name == name)


# the rows of the indicator marts are years or months
_INDICATOR_PERIOD = (
    "SELECT min(period_start), max(CASE WHEN period_type = 'year' THEN period_start + "
    "interval '1 year - 1 day' ELSE period_start + interval '1 month - 1 day' END)::date "
    "FROM {table}")
_INDICATOR_UNITS = {"coverage": "1", "coverage_threshold": "1"}  # value: see column unit
_MARTS_PROVENANCE = (
    "Computed by Smart Change in the marts (docs/indicators.md) from the open data of both "
    "cities: ISPU (Dinas Lingkungan Hidup DKI Jakarta, satudata.jakarta.go.id), BPBD flood "
    "events, Dukcapil and BPS population and economy tables, Transjakarta, CRM reports; "
    "BLUME air quality, LOR, EWR population, Ordnungsamt-Online, bicycle counters, MSS, IHK "
    "and construction statistics of the Land Berlin (dl-de/by-2-0); DWD and Open-Meteo "
    "weather. Each row names the payload hashes it rests on.")
_MARTS_SOURCES = (("Satu Data Jakarta", "https://satudata.jakarta.go.id/"),
                  ("Berlin Open Data", "https://daten.berlin.de/"),
                  ("BLUME Berlin", "https://luftdaten.berlin.de/"))

_SUPPRESSION_EN = (f" Cells with fewer than {MIN_CELL_REPORTS} reports are suppressed: their "
                   "count is empty and 'suppressed' is true.")

DATASETS = (
    OpenDataset(
        table=JAKARTA_OPEN,
        title={"en": "Jakarta citizen reports (CRM), open tier",
               "id": "Laporan warga Jakarta (CRM), data terbuka"},
        description={
            "en": "One row per report made by residents to the DKI Jakarta government through "
                  "CRM (Cepat Respon Masyarakat): date, category, handling agency, status and "
                  "kelurahan. Report ids are replaced by keyed pseudonyms, locations are "
                  "coarsened to the official kelurahan, times to the day, and the report text "
                  "is left out.",
            "id": "Satu baris per laporan warga kepada Pemprov DKI Jakarta melalui CRM (Cepat "
                  "Respon Masyarakat): tanggal, kategori, dinas penanganan, status dan "
                  "kelurahan. Nomor laporan diganti pseudonim berkunci, lokasi disamarkan ke "
                  "tingkat kelurahan, waktu ke tanggal, dan teks laporan tidak disertakan."},
        themes=("GOVE", "REGI"),
        keywords={"en": ("citizen reports", "complaints", "Jakarta", "kelurahan"),
                  "id": ("laporan warga", "pengaduan", "CRM", "kelurahan")},
        cities=("jakarta",),
        temporal_sql=f"SELECT min(created_date), max(created_date) FROM "
                     f"{JAKARTA_OPEN.table.qualified}",
        licence=NOT_SPECIFIED,
        provenance="Derived from the public CRM dashboard of the DKI Jakarta provincial "
                   "government (crm.jakarta.go.id, Jakarta Smart City); the seed is a 15-report "
                   "sample of a 2023 research scrape. Kelurahan names resolved to Kemendagri "
                   "2025 codes.",
        data_languages=("id",),
        sources=(("CRM Jakarta (Cepat Respon Masyarakat)", "https://crm.jakarta.go.id/"),),
    ),
    OpenDataset(
        table=BERLIN_OPEN,
        title={"en": "Berlin public-order reports (Ordnungsamt-Online), open tier",
               "de": "Meldungen an die Berliner Ordnungsämter (Ordnungsamt-Online), offen"},
        description={
            "en": "One row per report made by residents to the Berlin public-order offices "
                  "(waste, parking, streets, noise …): creation day, Bezirk, topic, status and "
                  "when it was seen resolved across the daily snapshots. Report ids are "
                  "replaced by keyed pseudonyms, times by days; free text and reporters' own "
                  f"titles are left out; a sub-topic is shown only when at least "
                  f"{MIN_CELL_REPORTS} reports share it.",
            "de": "Eine Zeile je Meldung an die Berliner Ordnungsämter (Abfall, Parken, "
                  "Straßen, Lärm …): Erstellungstag, Bezirk, Thema, Status und wann sie in den "
                  "täglichen Abzügen als erledigt erschien. Meldungsnummern sind durch "
                  "verschlüsselte Pseudonyme ersetzt, Zeitpunkte durch Tage; Freitext und "
                  "eigene Betreffs entfallen; ein Unterthema erscheint nur, wenn mindestens "
                  f"{MIN_CELL_REPORTS} Meldungen es teilen."},
        themes=("GOVE", "REGI"),
        keywords={"en": ("citizen reports", "public order", "Berlin", "Bezirk"),
                  "de": ("Bürgermeldungen", "Ordnungsamt", "Berlin", "Bezirk")},
        cities=("berlin",),
        temporal_sql=f"SELECT min(created_date), max(last_seen_date) FROM "
                     f"{BERLIN_OPEN.table.qualified}",
        licence=DL_DE_BY_2,
        provenance="Derived from the Ordnungsamt-Online open-data API of the Land Berlin "
                   "(Ordnungsämter der Bezirke), dl-de/by-2-0; attribution: 'Land Berlin, "
                   "Ordnungsamt-Online'. Daily snapshots accumulated by Smart Change.",
        data_languages=("de",),
        sources=(("Ordnungsamt-Online", "https://ordnungsamt.berlin.de/frontend/"),),
    ),
    OpenDataset(
        table=AGGREGATE_OPEN,
        title={"en": "Citizen reports by area and category, Jakarta and Berlin",
               "id": "Laporan warga menurut wilayah dan kategori, Jakarta dan Berlin",
               "de": "Bürgermeldungen nach Gebiet und Kategorie, Jakarta und Berlin"},
        description={
            "en": "Number of citizen reports per area (Jakarta: kelurahan; Berlin: Bezirk) and "
                  "category, from the two open report datasets." + _SUPPRESSION_EN,
            "id": "Jumlah laporan warga per wilayah (Jakarta: kelurahan; Berlin: Bezirk) dan "
                  f"kategori. Sel dengan kurang dari {MIN_CELL_REPORTS} laporan disembunyikan: "
                  "jumlahnya kosong dan 'suppressed' bernilai true.",
            "de": "Anzahl der Bürgermeldungen je Gebiet (Jakarta: Kelurahan; Berlin: Bezirk) "
                  f"und Kategorie. Zellen mit weniger als {MIN_CELL_REPORTS} Meldungen sind "
                  "unterdrückt: die Anzahl ist leer und 'suppressed' ist true."},
        themes=("GOVE", "REGI", "SOCI"),
        keywords={"en": ("citizen reports", "statistics", "Jakarta", "Berlin"),
                  "id": ("laporan warga", "statistik"),
                  "de": ("Bürgermeldungen", "Statistik")},
        cities=("jakarta", "berlin"),
        temporal_sql=f"SELECT min(d0), max(d1) FROM (SELECT min(created_date) d0, "
                     f"max(created_date) d1 FROM {JAKARTA_OPEN.table.qualified} UNION ALL "
                     f"SELECT min(created_date), max(last_seen_date) FROM "
                     f"{BERLIN_OPEN.table.qualified}) t",
        licence=CC_BY_4,
        provenance="Counted by Smart Change from the open Jakarta CRM and Berlin "
                   "Ordnungsamt-Online report datasets (see those datasets for their sources "
                   "and licences)." + _SUPPRESSION_EN,
        data_languages=("id", "de"),
        units={"reports": "reports"},
        sources=(("CRM Jakarta", "https://crm.jakarta.go.id/"),
                 ("Ordnungsamt-Online", "https://ordnungsamt.berlin.de/frontend/")),
    ),
    OpenDataset(
        table=_copy("air_quality_monthly"),
        title={"en": "Monthly air quality, Jakarta and Berlin",
               "id": "Kualitas udara bulanan, Jakarta dan Berlin",
               "de": "Monatliche Luftqualität, Jakarta und Berlin"},
        description={
            "en": "Per city, pollutant and month: mean concentration, days measured, days "
                  "above the WHO 2021 24-hour guideline, days with ISPU 'Tidak Sehat' or worse "
                  "and days with EAQI 'Poor' or worse. Jakarta concentrations are derived from "
                  "published ISPU sub-indices (share_derived).",
            "id": "Per kota, polutan dan bulan: konsentrasi rata-rata, jumlah hari terukur, "
                  "hari di atas pedoman WHO 2021, hari ISPU 'Tidak Sehat' atau lebih buruk dan "
                  "hari EAQI 'Poor' atau lebih buruk.",
            "de": "Je Stadt, Schadstoff und Monat: mittlere Konzentration, Messtage, Tage über "
                  "dem WHO-2021-Tagesrichtwert, Tage mit ISPU 'Tidak Sehat' oder schlechter "
                  "und Tage mit EAQI 'Poor' oder schlechter."},
        themes=("ENVI", "HEAL"),
        keywords={"en": ("air quality", "PM2.5", "PM10", "WHO guideline"),
                  "id": ("kualitas udara", "ISPU"),
                  "de": ("Luftqualität", "Feinstaub")},
        cities=("jakarta", "berlin"),
        temporal_sql="SELECT min(month), (max(month) + interval '1 month - 1 day')::date "
                     f"FROM {_copy('air_quality_monthly').table.qualified}",
        licence=CC_BY_4,
        provenance="Computed by Smart Change from ISPU of Dinas Lingkungan Hidup DKI Jakarta "
                   "(satudata.jakarta.go.id, Jakarta open data) and BLUME measurements of the "
                   "Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt Berlin "
                   "(dl-de/by-2-0).",
        data_languages=("en",),
        units={"mean_concentration_ugm3": "µg/m³", "days_measured": "d",
               "days_with_concentration": "d", "days_above_who_24h": "d",
               "days_ispu_unhealthy": "d", "days_eaqi_poor_or_worse": "d",
               "share_derived": "1"},
        sources=(("ISPU DKI Jakarta", "https://satudata.jakarta.go.id/"),
                 ("BLUME Berlin", "https://luftdaten.berlin.de/")),
    ),
    OpenDataset(
        table=_copy("city_indicators"),
        title={"en": "City indicators of Jakarta and Berlin, per year and month",
               "id": "Indikator kota Jakarta dan Berlin, per tahun dan bulan",
               "de": "Stadtindikatoren für Jakarta und Berlin, je Jahr und Monat"},
        description={
            "en": "Every indicator of the Smart Change catalogue (air quality after ISO 37120 "
                  "and the WHO 2021 guidelines, ISPU and EAQI bad days, floods, citizen "
                  "reports, transit and bicycles, weather, residents, economy and welfare) "
                  "per city, year and month, with its unit, numerator, denominator, coverage "
                  "(share of days, stations, months or areas with data), the coverage "
                  "threshold, method, standard, flags and the hashes of the source files "
                  "behind it. Every applicable indicator has a row for every year a city has "
                  "data: when coverage is below the threshold or an input is missing, value, "
                  "numerator and denominator are empty and null_reason says why (a gap, never "
                  "a zero). Flags mark estimated or derived figures (e.g. Jakarta "
                  "concentrations derived from ISPU sub-indices, conversion_unverified). "
                  "Definitions and comparability: docs/indicators.md and the dataset "
                  "city_comparison.",
            "id": "Setiap indikator katalog Smart Change (kualitas udara menurut ISO 37120 dan "
                  "pedoman WHO 2021, hari ISPU dan EAQI buruk, banjir, laporan warga, "
                  "transportasi umum dan sepeda, cuaca, jumlah penduduk, ekonomi dan "
                  "kesejahteraan) per kota, tahun dan bulan, dengan satuan, pembilang, "
                  "penyebut, cakupan (bagian hari, stasiun, bulan atau wilayah yang memiliki "
                  "data), ambang cakupan, metode, standar, penanda dan hash berkas sumber. "
                  "Setiap indikator yang berlaku memiliki baris untuk setiap tahun yang "
                  "memiliki data: bila cakupan di bawah ambang atau masukan tidak ada, nilai, "
                  "pembilang dan penyebut kosong dan null_reason menjelaskan alasannya "
                  "(celah, bukan nol). Penanda menandai angka turunan atau perkiraan (mis. "
                  "konsentrasi Jakarta yang diturunkan dari sub-indeks ISPU).",
            "de": "Jeder Indikator des Smart-Change-Katalogs je Stadt, Jahr und Monat mit "
                  "Einheit, Zähler, Nenner, Abdeckung, Schwelle, Methode, Standard, "
                  "Kennzeichen und den Prüfsummen der Quelldateien. Unter der "
                  "Abdeckungsschwelle ist der Wert leer und null_reason nennt den Grund "
                  "(eine Lücke, nie eine Null)."},
        themes=("REGI", "ENVI", "SOCI", "ECON"),
        keywords={"en": ("city indicators", "ISO 37120", "air quality", "comparison",
                         "Jakarta", "Berlin"),
                  "id": ("indikator kota", "kualitas udara", "banjir", "perbandingan"),
                  "de": ("Stadtindikatoren", "Luftqualität", "Städtevergleich")},
        cities=("jakarta", "berlin"),
        temporal_sql=_INDICATOR_PERIOD.format(
            table=_copy("city_indicators").table.qualified),
        licence=CC_BY_4,
        provenance=_MARTS_PROVENANCE,
        data_languages=("en",),
        units=_INDICATOR_UNITS,
        sources=_MARTS_SOURCES,
    ),
    OpenDataset(
        table=_copy("district_scorecard"),
        title={"en": "District scorecard of Jakarta and Berlin (kota and Bezirke)",
               "id": "Kartu skor wilayah kota Jakarta dan Bezirk Berlin",
               "de": "Bezirksvergleich Jakarta und Berlin (Kota und Bezirke)"},
        description={
            "en": "The city indicators per district (Jakarta: the 6 kota/kabupaten; Berlin: "
                  "the 12 Bezirke), per year and month, where the data allow (air quality "
                  "where a station stands in the district, floods, residents, citizen reports, "
                  "economy), with the same columns as city_indicators plus the district's "
                  "rank within its city (1 = highest value) and how many districts have a "
                  "value. A district without a value has no rank; NULL values carry their "
                  "reason in null_reason. The shapes of the districts are in the dataset "
                  "area_shapes (district_key = area_key).",
            "id": "Indikator kota per wilayah (Jakarta: 6 kota/kabupaten; Berlin: 12 Bezirk), "
                  "per tahun dan bulan, sejauh data tersedia (kualitas udara bila ada stasiun "
                  "di wilayah itu, banjir, penduduk, laporan warga, ekonomi), dengan kolom "
                  "yang sama seperti city_indicators ditambah peringkat wilayah di kotanya "
                  "(1 = nilai tertinggi) dan jumlah wilayah yang memiliki nilai. Nilai kosong "
                  "disertai alasannya di null_reason. Batas wilayah ada di dataset "
                  "area_shapes.",
            "de": "Die Stadtindikatoren je Bezirk (Jakarta: 6 Kota; Berlin: 12 Bezirke), je "
                  "Jahr und Monat, mit Rang innerhalb der Stadt (1 = höchster Wert); leere "
                  "Werte mit Grund in null_reason. Grenzen: Datensatz area_shapes."},
        themes=("REGI", "ENVI", "SOCI"),
        keywords={"en": ("district ranking", "scorecard", "kota", "Bezirk", "air quality"),
                  "id": ("peringkat wilayah", "kota administrasi", "kualitas udara"),
                  "de": ("Bezirke", "Rangliste", "Luftqualität")},
        cities=("jakarta", "berlin"),
        temporal_sql=_INDICATOR_PERIOD.format(
            table=_copy("district_scorecard").table.qualified),
        licence=CC_BY_4,
        provenance=_MARTS_PROVENANCE,
        data_languages=("en", "id", "de"),
        units=_INDICATOR_UNITS,
        sources=_MARTS_SOURCES,
    ),
    OpenDataset(
        table=_copy("city_comparison"),
        title={"en": "Jakarta and Berlin side by side: indicator comparison per year",
               "id": "Jakarta dan Berlin berdampingan: perbandingan indikator per tahun",
               "de": "Jakarta und Berlin im Vergleich: Indikatoren je Jahr"},
        description={
            "en": "One row per indicator, report category and year with Jakarta's and "
                  "Berlin's value, coverage, null reason, basis and flags side by side, their "
                  "ratio, and whether they can be compared: comparability is comparable, "
                  "comparable_with_caveats, not_comparable (e.g. transit passengers per "
                  "resident: different networks) or one_city_only; comparable is true only "
                  "when both cities have a value and neither rests on an unverified "
                  "conversion. comparability_note states the catalogue's standing caveat and "
                  "what kept this pair from being comparable. An empty value is a gap with "
                  "its reason, never a zero. A static HTML comparison report with a chart per "
                  "indicator and district maps is published beside this dataset "
                  "(comparison_report.html).",
            "id": "Satu baris per indikator, kategori laporan dan tahun dengan nilai, "
                  "cakupan, alasan nilai kosong, dasar dan penanda Jakarta dan Berlin "
                  "berdampingan, rasionya, dan apakah keduanya dapat dibandingkan "
                  "(comparable, comparable_with_caveats, not_comparable, one_city_only); "
                  "comparable bernilai true hanya bila kedua kota memiliki nilai dan tidak "
                  "ada yang bergantung pada konversi yang belum diverifikasi. "
                  "comparability_note menjelaskan catatan tetap katalog dan penghalang "
                  "perbandingan. Nilai kosong adalah celah beralasan, bukan nol. Laporan "
                  "perbandingan HTML statis (comparison_report.html) diterbitkan bersama "
                  "dataset ini.",
            "de": "Je Indikator, Kategorie und Jahr die Werte Jakartas und Berlins "
                  "nebeneinander, ihr Verhältnis und ob sie vergleichbar sind, mit "
                  "Vergleichbarkeitshinweis; leere Werte sind Lücken mit Grund. Ein "
                  "statischer HTML-Bericht (comparison_report.html) liegt daneben."},
        themes=("REGI", "ENVI", "SOCI"),
        keywords={"en": ("city comparison", "comparability", "Jakarta", "Berlin",
                         "air quality"),
                  "id": ("perbandingan kota", "keterbandingan", "kualitas udara"),
                  "de": ("Städtevergleich", "Vergleichbarkeit")},
        cities=("jakarta", "berlin"),
        temporal_sql="SELECT make_date(min(year), 1, 1), make_date(max(year), 12, 31) "
                     f"FROM {_copy('city_comparison').table.qualified}",
        licence=CC_BY_4,
        provenance=_MARTS_PROVENANCE,
        data_languages=("en",),
        units={"jakarta_coverage": "1", "berlin_coverage": "1", "jakarta_to_berlin": "1"},
        sources=_MARTS_SOURCES,
        pages=(REPORT_FILE,),
    ),
    OpenDataset(
        table=AREA_SHAPES,
        title={"en": "Areas of Jakarta and Berlin with their boundaries",
               "id": "Wilayah Jakarta dan Berlin beserta batasnya",
               "de": "Gebiete Jakartas und Berlins mit ihren Grenzen"},
        description={
            "en": "Every area of the common hierarchy of both cities (Jakarta: province, 6 "
                  "kota, 44 kecamatan, 267 kelurahan, Kemendagri 2025 codes; Berlin: the city, "
                  "12 Bezirke, 58 Prognoseräume, 143 Bezirksregionen, 542 Planungsräume, LOR "
                  "2021) with its boundary as GeoJSON in WGS 84 (EPSG:4326) and its area in m² "
                  "(equal-area EPSG:6933). Jakarta's kecamatan, kota and province are dissolved "
                  "from the kelurahan; Berlin's levels are as published. The CSV and Parquet "
                  "files carry each shape as GeoJSON text too (long cells); for maps use the "
                  "GeoJSON file.",
            "id": "Setiap wilayah dalam hierarki bersama kedua kota (Jakarta: provinsi, 6 kota, "
                  "44 kecamatan, 267 kelurahan, kode Kemendagri 2025; Berlin: kota, 12 Bezirk, "
                  "58 Prognoseraum, 143 Bezirksregion, 542 Planungsraum) beserta batasnya "
                  "sebagai GeoJSON dalam WGS 84 (EPSG:4326) dan luasnya dalam m². Kecamatan, "
                  "kota dan provinsi Jakarta digabung dari kelurahan.",
            "de": "Jedes Gebiet der gemeinsamen Hierarchie beider Städte (Jakarta: Provinz, 6 "
                  "Kota, 44 Kecamatan, 267 Kelurahan; Berlin: Stadt, 12 Bezirke, 58 "
                  "Prognoseräume, 143 Bezirksregionen, 542 Planungsräume, LOR 2021) mit seiner "
                  "Grenze als GeoJSON in WGS 84 (EPSG:4326) und seiner Fläche in m² "
                  "(flächentreu, EPSG:6933)."},
        themes=("REGI", "GOVE"),
        keywords={"en": ("administrative boundaries", "GeoJSON", "Jakarta", "Berlin"),
                  "id": ("batas wilayah", "kelurahan", "kecamatan"),
                  "de": ("Verwaltungsgrenzen", "LOR", "Planungsräume", "Bezirke")},
        cities=("jakarta", "berlin"),
        temporal_sql="SELECT NULL::date, NULL::date",
        licence=BOUNDARIES_AS_PUBLISHED,
        provenance="Berlin: LOR 2021 shapefiles of the Senatsverwaltung für Stadtentwicklung, "
                   "Bauen und Wohnen (Geoportal Berlin, CC BY 3.0 DE) and the ALKIS "
                   "Bezirksgrenzen (dl-de/by-2-0), reprojected from EPSG:25833. Jakarta: "
                   "Dukcapil Kemendagri 'Batas Desa Desember 2019' (as redistributed by "
                   "indonesia-geospasial.com; no licence stated), kecamatan, kota and province "
                   "dissolved by Smart Change. Codes and names: Kemendagri 2025, LOR 2021.",
        data_languages=("id", "de"),
        units={"area_m2": "m2"},
        sources=(("Geoportal Berlin, LOR 2021", "https://gdi.berlin.de/services/wfs/lor_2021"),
                 ("Dukcapil Batas Desa 2019 (indonesia-geospasial.com)",
                  "https://www.indonesia-geospasial.com/")),
        geojson_geometry=GEOMETRY_COLUMN,
    ),
)
