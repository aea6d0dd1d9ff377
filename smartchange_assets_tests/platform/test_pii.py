"""PII detection and redaction: planted positives, planted negatives, the real CRM sample.

Every positive is asserted with its kind and the exact text matched, every negative with an
empty result, so a pattern that goes too wide (dates, money, RT/RW, route codes, report ids
flagged) or too narrow fails here.
"""

from __future__ import annotations

import csv
import io

import pytest

from smartchange_assets.platform.pii import (
    ADDRESS,
    EMAIL,
    NAME,
    NIK,
    PHONE,
    PLATE,
    contains_pii,
    find_pii,
    pseudonymise,
    redact,
)

from ..seed_files import SEED

SEED = SEED
CRM_SAMPLE = SEED / "jakarta" / "citizen_reports" / (
    "crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv")

POSITIVES = [
    # Indonesian phones
    ("hubungi 0812-3456-7890 ya", PHONE, "0812-3456-7890"),
    ("wa 0812 3456 7890", PHONE, "0812 3456 7890"),
    ("WA08123456789 pak", PHONE, "08123456789"),
    ("hp: 0857.1234.5678.", PHONE, "0857.1234.5678"),
    ("0812 - 3456 - 7890", PHONE, "0812 - 3456 - 7890"),
    ("+62 812 3456 7890", PHONE, "+62 812 3456 7890"),
    ("(+62) 812-3456-789", PHONE, "(+62) 812-3456-789"),
    ("6281234567890", PHONE, "6281234567890"),
    ("+6281234567890", PHONE, "+6281234567890"),
    ("telp (021) 555 1234", PHONE, "(021) 555 1234"),
    ("kantor 021-5551234", PHONE, "021-5551234"),
    # German phones
    ("Tel. +49 30 1234567", PHONE, "+49 30 1234567"),
    ("+49 (0)30 12345678", PHONE, "+49 (0)30 12345678"),
    ("0049 30 1234567", PHONE, "0049 30 1234567"),
    ("Festnetz 030 12345678", PHONE, "030 12345678"),
    ("030/1234567", PHONE, "030/1234567"),
    ("mobil 0171 1234567", PHONE, "0171 1234567"),
    ("0151-12345678", PHONE, "0151-12345678"),
    # e-mail
    ("kirim ke nama.saya@gmail.com.", EMAIL, "nama.saya@gmail.com"),
    ("max.mustermann+crm@berlin.de", EMAIL, "max.mustermann+crm@berlin.de"),
    # NIK (and KK numbers, same shape)
    ("NIK 3171012345678901", NIK, "3171012345678901"),
    ("nik: 3171 0123 4567 8901", NIK, "3171 0123 4567 8901"),
    ("31.71.01.234567.0001", NIK, "31.71.01.234567.0001"),
    ("3171-0123-4567-8901", NIK, "3171-0123-4567-8901"),
    ("317101 234567 0001", NIK, "317101 234567 0001"),
    # plates
    ("mobil B 1234 ABC parkir", PLATE, "B 1234 ABC"),
    ("motor B1234ABC", PLATE, "B1234ABC"),
    ("motor b 1234 abc kabur", PLATE, "b 1234 abc"),
    ("parkir B 1234 ABC.", PLATE, "B 1234 ABC"),
    ("DK 123 AB", PLATE, "DK 123 AB"),
    ("truk B 9876 XY di trotoar", PLATE, "B 9876 XY"),
    ("B-AB 1234", PLATE, "B-AB 1234"),
    ("Kennzeichen M AB 123", PLATE, "M AB 123"),
    ("HH-XY 12E", PLATE, "HH-XY 12E"),
    # forms seen in Berlin Ordnungsamt reports (values changed): plate before a full stop,
    # a French plate, an HTML-escaped '+', a phone with spaced slash, street with postcode
    ("Mietwagen: B-MI 1234. Ich", PLATE, "B-MI 1234"),
    ("Kennzeichen GD 123 AC\n", PLATE, "GD 123 AC"),
    ("Tel. &#43;49 30 1234-5678", PHONE, "&#43;49 30 1234-5678"),
    ("Tel 030 / 1234567", PHONE, "030 / 1234567"),
    ("(Beispielstraße 24 10961 Berlin)", ADDRESS, "Beispielstraße 24 10961 Berlin"),
    # addresses with a house number
    ("rumah di Jl. Melati No. 12 rusak", ADDRESS, "Jl. Melati No. 12"),
    ("Jalan Kenanga Raya no 5A", ADDRESS, "Jalan Kenanga Raya no 5A"),
    ("Gg. Haji Ridi No.3", ADDRESS, "Gg. Haji Ridi No.3"),
    ("jln kebon sirih, no 10/2", ADDRESS, "jln kebon sirih, no 10/2"),
    ("vor Friedrichstraße 12 falsch geparkt", ADDRESS, "Friedrichstraße 12"),
    ("Karl-Marx-Allee 90a", ADDRESS, "Karl-Marx-Allee 90a"),
    ("Berliner Str. 5", ADDRESS, "Berliner Str. 5"),
    ("Müllerstrasse 7-9", ADDRESS, "Müllerstrasse 7-9"),
    # names behind an explicit marker
    ("nama saya Budi Santoso, mohon", NAME, "Budi Santoso"),
    ("atas nama Siti Aminah", NAME, "Siti Aminah"),
]


@pytest.mark.parametrize(("text", "kind", "match"), POSITIVES)
def test_planted_pii_is_found_with_kind_and_exact_text(text, kind, match):
    assert find_pii(text) == [(kind, match)]
    assert contains_pii(text)
    redacted = redact(text)
    assert match not in redacted
    assert f"[{kind}]" in redacted
    assert find_pii(redacted) == []


NEGATIVES = [
    "18-06-2023", "2023-06-18", "18/06/2023 10.30", "18-06-2023 10.30", "08-06-2023 10.30",
    "2023-06-18 2023-06-19", "tgl 12.06.2023 jam 10.30", "2023-06-18T07:15:00",
    "Rp 50.000", "Rp1.500.000", "Rp. 2.500.000", "Rp 50.000,-", "Rp 628.000.000.000",
    "Rp 1.500.000.000.000.000", "harga 1.234.567.890.123.456", "5.000 rupiah", "1.200 €",
    "RT 14 RW 03", "rt 14 rw 03", "RT 001/RW 003", "RT 014/005", "KEL RW 03", "DI JL 5",
    "JAK.10B", "JAK. 10B", "JAK,19", "1A", "10K", "GR2", "BRT 13",
    "JK2306180342", "Melanjutkan Laporan Sebelumnya No. JK2305290094",
    "Jl Perniagaan Raya arah Glodok", "jln prof satrio nuju flyover", "Jalan Suryo",
    "jarak a 10 km", "jam 10 pagi", "2 lajur", "sudah 2 minggu", "berulang2", "8 juta",
    "202101", "773717", "periode 202112 ada 1473 baris", "Straße des 17. Juni",
    # German text around numbers (Berlin reports): pipe types, motorway, Ordnungsamt report
    # numbers, GPS-free dates
    "Muffenrohr PA2327 ist", "in Richtung A100 ist", "das Z286 zu", "bh5tkx", "n50hkx",
    "ba581t", "zu 3w52pt gemeldet", "am 23.10. 2023 um 23.20 Uhr",
    "Vom 1.3.23-31.10.24 von 7-17:00",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_numbers_and_codes_are_not_pii(text):
    assert find_pii(text) == []
    assert redact(text) == text


def test_several_kinds_in_one_text_are_all_redacted_in_place():
    text = ("Saya tinggal di Jl. Melati No. 12 RT 03/RW 05, hp 0812-3456-7890, "
            "email budi@example.co.id, NIK 3171012345678901. Mobil B 1234 ABC parkir "
            "sejak 18-06-2023 jam 10.30, denda Rp 50.000.")
    assert find_pii(text) == [
        (ADDRESS, "Jl. Melati No. 12"), (PHONE, "0812-3456-7890"),
        (EMAIL, "budi@example.co.id"), (NIK, "3171012345678901"), (PLATE, "B 1234 ABC"),
    ]
    assert redact(text) == (
        "Saya tinggal di [ADDRESS] RT 03/RW 05, hp [PHONE], email [EMAIL], NIK [NIK]. "
        "Mobil [PLATE] parkir sejak 18-06-2023 jam 10.30, denda Rp 50.000.")


def test_redact_keeps_none_and_is_idempotent():
    assert redact(None) is None
    assert find_pii(None) == [] and not contains_pii("")
    once = redact("hubungi 08123456789 atau a@b.id")
    assert once == "hubungi [PHONE] atau [EMAIL]"
    assert redact(once) == once


def test_pseudonymise_is_stable_keyed_and_not_the_plain_hash():
    import hashlib

    a = pseudonymise("3171012345678901", b"secret-1")
    assert a == pseudonymise("3171012345678901", b"secret-1")
    assert len(a) == 64 and int(a, 16) >= 0
    assert a != pseudonymise("3171012345678901", b"secret-2")
    assert a != pseudonymise("3171012345678902", b"secret-1")
    assert a != hashlib.sha256(b"3171012345678901").hexdigest()
    # the known HMAC-SHA256 test vector (RFC 4231 case 2) pins the construction
    assert pseudonymise("what do ya want for nothing?", b"Jefe") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    with pytest.raises(ValueError):
        pseudonymise("x", b"")
    with pytest.raises(TypeError):
        pseudonymise(3171012345678901, b"k")


def _crm_sample_records() -> list[dict]:
    return list(csv.DictReader(io.StringIO(CRM_SAMPLE.read_bytes().decode("utf-8"))))


def test_real_crm_sample_has_no_pii_and_redaction_leaves_it_unchanged():
    # The 15 published records were chosen without plates/names (seed README); nothing in them
    # (report ids, dates, "rt 14 rw 03", "Jl Perniagaan Raya", "2 lajur") is personal data.
    records = _crm_sample_records()
    assert len(records) == 15
    for record in records:
        for value in record.values():
            assert find_pii(value) == [], value
            assert redact(value) == value


def test_pii_planted_into_real_crm_descriptions_is_removed():
    # Derived from the real sample: each real description gets one planted item appended
    # (and the multi-line one keeps its line breaks).
    plants = ["hp 0812-3456-7890", "nik 3171 0123 4567 8901", "mobil B 1234 XYZ",
              "email warga.kesal@yahoo.co.id", "rumah saya Jl. Kenanga No. 7",
              "+62 21 5551234"]
    for i, record in enumerate(_crm_sample_records()):
        plant = plants[i % len(plants)]
        text = record["description"] + "\n" + plant
        redacted = redact(text)
        assert find_pii(redacted) == []
        assert redacted.startswith(record["description"])
        assert len(find_pii(text)) == 1


def test_berlin_ordnungsamt_case_codes_are_not_plates():
    # real: the Berlin seed's meldungsNummern ("bh5tkx", "n50hkx", "3w52pt" …) are publisher
    # case codes shaped like glued lower-case plates; none may be flagged
    import json

    files = sorted((SEED / "berlin" / "citizen_reports").glob("*.json"))
    assert files
    codes = [code for f in files for item in json.loads(f.read_bytes())["index"]
             for code in item.get("meldungsNummern") or []]
    assert len(codes) > 1000
    assert [c for c in codes if find_pii(c)] == []
    assert "bh5tkx" in codes
