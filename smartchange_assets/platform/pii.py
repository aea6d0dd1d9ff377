"""Personal data in free text: find it, redact it, pseudonymise identifiers.

Citizen reports (Jakarta CRM, Berlin Ordnungsamt-online, ...) are free text written by residents
and often carry their phone number, e-mail, NIK, a neighbour's licence plate, a house address or
a name. None of that may reach a staging table. Parsers pass every free-text value through
:func:`redact` before staging it; the blocking ``no_personal_data`` checks and the open-tier and
file scans assert that nothing they read still matches :func:`find_pii`.

Pure functions, no I/O. What is detected (kind → tag):

* ``EMAIL``   ``nama.saya@gmail.com``; written around a filter: ``budi(at)gmail.com``,
  ``budi [at] gmail [dot] com``, ``budi at gmail dot com`` (with a known top-level domain),
  ``budi@gmail .com``, ``budi @ gmail.com``
* ``NIK``     16-digit Indonesian national ID (also the Kartu Keluarga number, same shape):
  ``3171012345678901``, ``3171 0123 4567 8901``, ``3171-0123-4567-8901``,
  ``31.71.01.234567.0001``, ``317101 234567 0001``; after ``NIK``/``KTP``/``KK`` any grouping
* ``PHONE``   Indonesian mobile ``0812-3456-7890``, ``0812.3456.7890``, ``+62 812 3456 7890``,
  ``62 812 3456 7890``, ``62812…``; landlines with an area code ``(021) 555 1234``,
  ``021-555 1234``; German ``+49 30 1234567``, ``+49 (0)30 …``, ``+49 (30) 1234 5678``,
  ``030 1234567``, ``(030) 123 45 67``, ``030 / 1234567``, ``0171 1234567``; any
  ``+<country> …`` or ``00<country> …`` (also with the '+' HTML-escaped, ``&#43;49 30 …``);
  next to RT/RW numbers too (``RT05/RW02 08123456789``, ``RT 05 / 0812…``)
* ``PLATE``   Indonesian ``B 1234 ABC``, ``B1234ABC``, ``DK 123 AB``, ``b 1234 abc``, glued
  lower case when it cannot be a Berlin case code (``b1234abc``: 7+ characters, see below),
  any case after ``plat``/``nopol``/``Kennzeichen`` (``nopol b 1234 Abc``); German
  ``B-AB 1234``, ``M AB 123``, ``HH-XY 12E``; French ``GD 218 AC``
* ``ADDRESS`` a street *with a house number* only. Indonesian ``Jl. Melati No. 12``,
  ``Jl.Melati No.12``, ``Jl. Melati no12``, ``Jalan Kenanga Raya no 5A``, ``Gg. Haji Ridi
  No.3``, housing blocks ``Blok A/12``, ``Blok C3 No. 5``; German ``Friedrichstraße 12``,
  ``Monopolstr 5``, ``Karl-Marx-Allee 90a``, ``Berliner Str. 5``, ``Hasenheide 18``,
  ``Blücherstraße 24, 10961 Berlin``, and street names without a suffix: ``Unter den Linden
  5``, ``Am Kupfergraben 6a``, ``Alt-Moabit 101``, ``Platz der Republik 1``. A street name
  alone (``Jl Perniagaan Raya``, ``Platz der Republik``) is a public place, not personal data,
  and is left as is.
* ``NAME``    a name introduced by ``nama saya``, ``atas nama``, ``a.n.``, ``mein Name ist``,
  ``ich heiße``; after an honorific: ``Pak``, ``Bapak``, ``Bu``, ``Ibu``, ``Mbak``, ``Sdr.``,
  ``Sdri.``, ``Herr``, ``Herrn``, ``Frau``, ``Hr.``, ``Fr.``, ``Dr.``, ``Prof.`` (titles in
  between are kept: ``Frau Dr. Schmidt`` → ``Frau Dr. [NAME]``, ``Pak Budi`` → ``Pak [NAME]``,
  ``Pak H. Ahmad`` → ``Pak H. [NAME]``); and the line after a letter's sign-off (``Mit
  freundlichen Grüßen\\nMax Mustermann``, ``MfG\\nK. V.``, ``Hormat saya,\\nBudi``), where the
  Berlin seed holds real names. Only the name is replaced: the honorific or greeting alone
  says nothing about who it is.

What must *not* be flagged, and is protected explicitly: dates (``18-06-2023``,
``2023-06-18``), times (``10.30``), money (``Rp 50.000``, ``Rp1.500.000``), RT/RW numbers
(``RT 14 RW 03``, ``RT 001/RW 003``), route and line codes (``JAK.10B``, ``1A``, ``A100``,
``Linie 100``, ``Bus 200``), CRM report ids (``JK2306180342``: the letters glue to the digits,
so no number pattern starts inside them), Berlin case codes (``bh5tkx``), measured values
(``45 µg/m³``, ``12,5 dB``), role words after an honorific (``Pak RT``, ``Bu Lurah``, ``Pak
Ogah``, ``Ibu Kota``) and a noun after an article (``eine Frau Müll abladen``, ``der Herr``).

Detection favours recall where a miss would leak data (any 16 digits in the NIK groupings, any
mobile-shaped number, any ``(at)`` form) and precision where a false hit would destroy ordinary
text (plates need a letter suffix, addresses a house number, names a capital letter and no
role word). The choices behind the rules that read words:

* Glued lower-case plates: Berlin case codes are 3–6 characters of letters and digits
  (``bh5tkx``, ``w3914x``: 6 796 codes in the seed, none longer), the same shape as a short
  glued plate. A glued lower-case plate is read only with 7 characters or more (``b1234ab``,
  ``b1234abc``, ``dk123ab``) or after a plate keyword.
* German streets without a suffix are read behind a preposition that starts street names
  (``Am``, ``Im``, ``An der``, ``Unter den``, ``Zum`` …, ``Alt-``/``Neu-``) or as ``Platz der
  …``, with one name word (an adjective may come first: ``Am Treptower Park 5``) and a house
  number of 1–3 digits. Not read: a time or place noun (``Am Montag 5``, ``Im Jahr 2023``,
  ``Im Bus 200``, ``Am Tempo 30``), a number that is a count (followed by a noun or a unit:
  ``Am Kanal 3 Autos``, ``An der Ampel 5 min``), a decimal, date or time.
* Names: one to three capitalised words (German initials too: ``Herr H.``), ending before a
  role or sentence word (``Pak RT``, ``Bu Lurah``, ``Mohon Pak Segera``: no name); ``Herr`` and
  ``Frau`` after an article or adjective are nouns (``die Frau Zigaretten …``), except in a
  salutation (``Sehr geehrte Frau …``); an honorific behind a place word names a place (``Jl.
  Dr. Saharjo``, ``RSUD Dr. Soetomo``). A sign-off name must fill its line, so a sentence that
  starts there (``Viele Grüße\\nSeit Wochen …``) is no name. In all-caps text (``PAK BUDI``) or
  all-lower-case text (``pak budi``) a name cannot be told from ordinary words: not read.
* German street words that are common nouns (``Gehweg 4``, ``Spielplatz 3``) and numbers
  followed by a unit (``Kottbusser Tor 10 Minuten``) are no address.

Known gaps (by design, to keep ordinary text and ids intact): glued lower-case plates shorter
than 7 characters (``b1234a`` has the shape of a case code) and mixed-case plates (``B 1234
abc``, which German text produces everywhere: ``A 1000 und``) unless a plate keyword precedes;
``Blok C3`` without a house number; Indonesian streets without ``No.`` (``Jl. Melati 12``);
German street names in lower case or without a preposition or suffix (``Hauptstr 5`` is read,
``Kreuzberg 36`` is not), and a preposition street followed by a capitalised word (``Am Kanal 3
Autos`` reads as a count, so ``Unter den Linden 5 Hinterhaus`` is missed; ``5a`` is always a
house); names without a marker, honorific or sign-off, in all caps or all lower case, or a
surname that is a role word; a name or house number on its own (``Hausnummer 52``); IBANs (a
4-4-4-4 run inside one is read as a NIK, so it is redacted, under the wrong tag); GPS
coordinates. Checked against the real Jakarta CRM sample (nothing found, as expected), the real
Berlin Ordnungsamt seed (every hit a real address, plate, phone, e-mail or name; the name
rules redact real names in 26 of its reports) and the text of every other seed (no new hit).
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import re

EMAIL, NIK, PHONE, PLATE, ADDRESS, NAME = "EMAIL", "NIK", "PHONE", "PLATE", "ADDRESS", "NAME"
PII_KINDS = (EMAIL, NIK, PHONE, PLATE, ADDRESS, NAME)

# Every pattern is linear: repeated groups consume at least one character that the next
# group cannot (a digit after an optional separator, a word after a space), and no group
# repeats inside another unbounded one, so no input makes a pattern backtrack exponentially
# (test_pii_corpus.py runs a 100 kB pathological string).

_SP = r"[ \u00a0]"
# One separator between digit groups: a space, or a dot/hyphen with optional spaces around it
# (never a newline, so two numbers on separate lines are not glued into one).
_SEP = r"(?:[ \u00a0]?[.\-][ \u00a0]?|[ \u00a0])"
# The same, also with a slash ("030 / 1234567").
_SEP_SLASH = r"(?:[ \u00a0]?[.\-/][ \u00a0]?|[ \u00a0])"
# Not preceded by a letter, digit or '+': a number that starts inside a word
# (``JK2306180342``) or inside a longer number is not a phone number or a NIK.
_START = r"(?<![\w+])"
_END = r"(?!\w)"

# -- e-mail ---------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Written around a filter: "(at)", "[at]", " at ", "@" with spaces; "(dot)", " dot ", " . ".
# A top-level domain from this list is required, so "at" and "dot" in ordinary words
# ("look at this") do not make an address.
_TLDS = ("com|net|org|info|biz|id|de|eu|berlin|co|ac|go|or|sch|web|my|io|me|edu|gov|mil|uk|nl|"
         "fr|ch|at|sg|asia")
_AT = (r"(?:" + _SP + r"*@" + _SP + r"*"
       r"|" + _SP + r"*[(\[{<]" + _SP + r"*at" + _SP + r"*[)\]}>]" + _SP + r"*"
       r"|" + _SP + r"+(?:at|AT)" + _SP + r"+)")
_DOT = (r"(?:" + _SP + r"?\." + _SP + r"?"
        r"|" + _SP + r"*[(\[{<]" + _SP + r"*(?:dot|punkt|titik)" + _SP + r"*[)\]}>]" + _SP + r"*"
        r"|" + _SP + r"+(?:dot|DOT|punkt|titik)" + _SP + r"+)")
_OBFUSCATED_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]*\w" + _AT + r"[A-Za-z0-9-]+(?:" + _DOT + r"[A-Za-z0-9-]+)*"
    + _DOT + r"(?:" + _TLDS + r")(?![\w])",
    re.IGNORECASE,
)

# -- NIK ------------------------------------------------------------------------------------

# 16 digits in one piece or in the groupings people actually write (4-4-4-4, the official
# 2-2-2-6-4, 6-6-4), each grouping with one consistent separator (the backreference), so that
# two dates or a money amount with thousands dots (``1.500.000.000.000.000``) are not a NIK.
_NIK_RE = re.compile(
    _START
    + r"(?:\d{16}"
    + r"|\d{4}([ .\-])\d{4}\1\d{4}\1\d{4}"
    + r"|\d{2}([ .\-])\d{2}\2\d{2}\2\d{6}\2\d{4}"
    + r"|\d{6}([ .\-])\d{6}\3\d{4})"
    + _END
)
# After the word NIK / KTP / KK (Kartu Keluarga): 16 digits in any grouping.
_NIK_AFTER_KEYWORD_RE = re.compile(
    r"\b(?:NIK|KTP|KK|No\.?" + _SP + r"?KTP|No\.?" + _SP + r"?KK)\b[ \u00a0.:#]*"
    r"(\d(?:[ \u00a0.\-]?\d){15})(?!\d)",
    re.IGNORECASE,
)

# -- phone ----------------------------------------------------------------------------------

_PHONE_RES = (
    # Indonesian mobile: +62 / 62 / 0, then 8, then 8–11 more digits (10–13 digits with the 0).
    # Only digits may not precede it: "WA08123456789" and "HP:0812…" are written that way.
    re.compile(r"(?<![\d+])(?:\(?\+62\)?" + _SEP + r"?|\(?62\)?" + _SEP + r"?|0)8\d(?:" + _SEP
               + r"?\d){7,10}(?!\d)"),
    # Any international number: +<country code> (or 00<country code>), then "(0)" or an area
    # code in parentheses ("+49 (30) 1234 5678"), then the digits. The '+' may arrive
    # HTML-escaped ("&#43;49 30 …" in e-mails pasted into a web form).
    re.compile(_START + r"(?:\+|&#0*43;|&#x0*2[bB];|00(?=[1-9]))[1-9]\d{0,2}"
               r"(?:(?:" + _SEP_SLASH + r"?\(0\))?(?:" + _SEP_SLASH + r"?\d){7,12}"
               r"|" + _SEP_SLASH + r"?\(0?[1-9]\d{0,4}\)(?:" + _SEP_SLASH + r"?\d){5,10})"
               + _END),
    # National number with an area code, Indonesian (021 …) or German (030 …, 0171 …):
    # 0 + 2–5 digit area code (in parentheses or not), separator, 5–8 digit subscriber number.
    re.compile(_START + r"(?:\(0[1-9]\d{1,4}\)|0[1-9]\d{1,4})"
               r"(?:[ \u00a0]?[/\-.][ \u00a0]?|[ \u00a0])?\d(?:" + _SEP + r"?\d){4,8}" + _END),
)

# -- licence plates -------------------------------------------------------------------------

# Indonesian region codes (kode wilayah kendaraan bermotor), one or two letters.
_ID_REGIONS = (
    "AA|AB|AD|AE|AG|BA|BB|BD|BE|BG|BH|BK|BL|BM|BN|BP|DA|DB|DC|DD|DE|DG|DH|DK|DL|DM|DN|DP|DR|DS|"
    "DT|EA|EB|ED|KB|KH|KT|KU|PA|PB|A|B|D|E|F|G|H|K|L|M|N|P|R|S|T|W|Z"
)
# Units and words that follow a number in ordinary text ("a 10 km", "b 2 jam"): never a
# plate suffix when written in lower case.
_NOT_A_SUFFIX = {"km", "m", "cm", "mm", "kg", "g", "l", "rb", "jt", "hr", "jam", "x", "th", "thn",
                 "bln", "mg", "ml", "an", "ke", "rt", "rw", "di", "yg", "dan", "ada", "und",
                 "uhr", "min", "mal", "std", "bis", "in", "am", "im", "um", "db", "kw",
                 "kmh", "ha", "qm", "ist", "hat", "war", "der", "die", "das", "den"}
# A plate ends at a word boundary or a sentence's full stop, not inside "JAK.10B"-like codes.
_PLATE_END = r"(?!\w)(?!\.\w)"
# Indonesian plate, region + 1–4 digits + 1–3 letters. Case-insensitive for the letters; which
# case combinations count is decided in _plates: "PA2327 ist", "A100 ist" in German text are
# not plates.
_ID_PLATE_RE = re.compile(
    r"(?<![\w.])(" + _ID_REGIONS + r")([ \u00a0\-]?)(\d{1,4})([ \u00a0\-]?)([A-Z]{1,3})"
    + _PLATE_END,
    re.IGNORECASE,
)
# Berlin Ordnungsamt case codes (meldungsNummern) are 3–6 letters and digits, all 6 796 of the
# seed's: a glued lower-case plate of 7 or more characters cannot be one.
_GLUED_LOWER_MIN = 7
# A plate keyword right before the plate: then any case and spacing is a plate.
_PLATE_KEYWORD_RE = re.compile(
    r"(?:\bplat(?:" + _SP + r"+nomor|" + _SP + r"*no\.?)?|\bnopol|\bno\.?" + _SP
    + r"*pol(?:isi)?|\bnomor" + _SP + r"+polisi|\btnkb|kennzeichen|\bkfz)[ \u00a0:.\-]{0,3}$",
    re.IGNORECASE,
)
# German plate: district (1–3 letters), '-' or space, 1–2 letters, 1–4 digits, E/H suffix.
# Case-sensitive: written plates are upper case, and lower-case words would match everywhere.
_DE_PLATE_RE = re.compile(
    r"(?<![\w.])[A-ZÄÖÜ]{1,3}[ \u00a0\-][A-Z]{1,2}[ \u00a0\-]?\d{1,4}[EH]?" + _PLATE_END
)
# French plates (SIV, "GD-218-AC"), common on cars abandoned in Berlin: letters-digits-letters.
_FR_PLATE_RE = re.compile(r"(?<![\w.])[A-Z]{2}[ \u00a0\-]\d{3}[ \u00a0\-][A-Z]{2}" + _PLATE_END)
# Upper-case Indonesian words that would otherwise read as district + letters + digits:
# "KEL RW 03", "DI JL 5", "GANG NO 12".
_DE_PLATE_NOT_LETTERS = {"RT", "RW", "NO", "JL", "GG", "KM", "LT", "KEL", "KEC", "BLOK"}

# -- addresses ------------------------------------------------------------------------------

_HOUSE_NO_MARK = r"(?:No|Nomor|Nmr|Kav)(?![a-z])[.:#]?" + _SP + r"*"
_ID_ADDRESS_RES = (
    # Jl. / Jln. / Jalan / Gg. / Gang <0–6 words> [,] No. <number>; "Jl.Melati", "no12" too
    re.compile(
        r"\b(?:Jl|Jln|Jalan|Gg|Gang)\b(?:\." + _SP + r"*|" + _SP + r"+)"
        r"(?:[\w.'/-]{1,40},?" + _SP + r"+){0,6}?"
        + _HOUSE_NO_MARK + r"\d+[A-Za-z]?(?:" + _SP + r"*[/-]" + _SP + r"*\d+)?\b",
        re.IGNORECASE,
    ),
    # a housing block with the house in it: "Blok A/12", "Blok C3 No. 5", "blok A1-7";
    # "Blok M" (a Jakarta district) and "Blok C3" alone name no house
    re.compile(
        r"\bBlok\.?" + _SP + r"*[A-Z]{1,2}" + _SP + r"?\d{0,3}"
        r"(?:" + _SP + r"*[/-]" + _SP + r"*\d{1,4}[A-Za-z]?"
        r"|" + _SP + r"*,?" + _SP + r"*" + _HOUSE_NO_MARK + r"\d{1,4}[A-Za-z]?)\b",
        re.IGNORECASE,
    ),
)

_UPPER = "A-ZÄÖÜ"
_LOWER = "a-zäöüß"
_WORD = f"[{_UPPER}][{_LOWER}]+"
_SUFFIXES = ("straße|strasse|str\\.?|weg|allee|platz|damm|ring|gasse|ufer|chaussee|zeile|heide|"
             "steig|pfad|promenade")
_STREET_NOUNS = ("Straße|Strasse|Str\\.?|Weg|Allee|Platz|Damm|Ring|Gasse|Ufer|Chaussee|Markt|Tor|"
                 "Brücke|Steig|Pfad|Promenade|Park|Heide|Zeile")
# A house number: 1–4 digits, a letter ("6a", "78 C"), a range or second number ("7-9",
# "11/12"); with the postcode and town when they follow ("…, 10961 Berlin").
_HOUSE_NO = (r"\d{1,4}(?:[a-zA-Z]|" + _SP + r"[A-Z](?![\w-]))?(?:" + _SP + r"*[-/]" + _SP
             + r"*\d{1,4}[a-zA-Z]?)?\b")
_POSTCODE = r"(?:,?" + _SP + r"+\d{5}(?:" + _SP + r"+" + _WORD + r")?\b)?"
# A number followed by a unit or a time word is a distance or duration, not a house number
# ("vom Kottbusser Tor 10 Minuten", "Friedrichstraße 200 m weiter").
_NOT_BEFORE_UNIT = (r"(?!" + _SP + r"*(?i:uhr|h|min|std|stunden|minuten|sekunden|tage?n?|wochen?"
                    r"|monate?n?|jahre?n?|mal|x|m|km|cm|mm|kg|t|meter|prozent|grad|db|€|%|°|euro"
                    r"|personen|leute|autos|fahrzeuge|stück)(?![\w]))")
_DE_SUFFIX_ADDRESS_RE = re.compile(
    # "Friedrichstraße 12", "Monopolstr 5", "Karl-Marx-Allee 90a", "Berliner Str. 5"
    r"(?:\b" + _WORD + r"er" + _SP + r"(?:" + _STREET_NOUNS + r")"
    r"|\b(?P<street>[" + _UPPER + r"][\w-]{0,60}?(?:" + _SUFFIXES + r"|-Straße|-Allee|-Platz"
    r"|-Ring|-Weg|-Damm)))"
    + _SP + r"*" + _HOUSE_NO + _NOT_BEFORE_UNIT + _POSTCODE
)
# Common nouns with a street suffix: "Gehweg 4 E-Roller", "Spielplatz 3 Kinder".
_NOT_A_STREET = {
    "gehweg", "radweg", "fußweg", "fussweg", "fahrradweg", "radfahrweg", "gehsteig",
    "bürgersteig", "bürgsteig", "spielplatz", "parkplatz", "sportplatz", "bolzplatz",
    "marktplatz", "stellplatz", "abstellplatz", "wendeplatz", "schulweg", "heimweg", "umweg",
    "rückweg", "ausweg", "wanderweg", "feldweg", "waldweg", "zufahrtsweg", "fluchtweg",
    "rettungsweg", "parkring", "autobahnring",
}
# Street names without a suffix: behind a preposition that starts street names, "Alt-"/"Neu-",
# or "<street noun> der/des/am … <name>". One name word, maybe after an adjective ("Am
# Treptower Park", "Platz der Vereinten Nationen"), or a date ("Straße des 17. Juni").
# The preposition is lower case inside a sentence ("wohnt am Kupfergraben 6").
_DE_PREPOSITION = (r"(?:[Aa]m|[Ii]m|[Zz]um|[Zz]ur|[Aa]n" + _SP + r"(?:der|den|dem)|[Aa]uf" + _SP
                   + r"(?:der|dem)|[Uu]nter" + _SP + r"den|[Hh]inter" + _SP + r"(?:der|dem)|[Vv]or"
                   + _SP + r"dem)")
_DE_OF = r"(?:der|des|am|vom|zum|zur|von|an" + _SP + r"der)"
_DE_NAME = (r"(?:(?:" + _WORD + r"(?:e|er|en|es)" + _SP + r")?" + _WORD + r"(?:-" + _WORD
            + r"){0,3}|\d{1,2}\." + _SP + r"?" + _WORD + r")")
_DE_NO_SUFFIX_ADDRESS_RE = re.compile(
    r"\b(?:" + _DE_PREPOSITION + _SP + r"(?P<name>" + _DE_NAME + r")"
    r"|(?:Alt|Neu)-" + _WORD + r"(?:-" + _WORD + r"){0,3}"
    r"|(?:" + _STREET_NOUNS + r")" + _SP + _DE_OF + _SP + _DE_NAME + r")"
    # house number 1–3 digits (a 4-digit number behind "Im Jahr" is a year)
    + _SP + r"(?:"
    # with a letter it is a house whatever follows ("Am Kupfergraben 6a Hinterhaus")
    r"\d{1,3}(?:[a-zA-Z]|" + _SP + r"[A-Z](?![\w-]))(?:" + _SP + r"*[-/]" + _SP
    + r"*\d{1,3}[a-zA-Z]?)?(?![\w])"
    # digits alone, or a range
    r"|\d{1,3}(?:" + _SP + r"*[-/]" + _SP + r"*\d{1,3}[a-zA-Z]?)?(?![\w])"
    # not a decimal, date or time ("Am Montag 5.11.", "Im Bereich 2,5 m")
    r"(?![.,:]\d)"
    # not a count: a noun or a unit follows ("Am Kanal 3 Autos", "An der Ampel 5 min");
    # "Berlin" after the number is the town of the address
    r"(?!" + _SP + r"*(?!Berlin\b)[" + _UPPER + r"][" + _LOWER + r"])"
    + _NOT_BEFORE_UNIT + r")" + _POSTCODE
)
# Nouns after a preposition that make a time, a count or a place that is not a street:
# "Am Montag 5 …", "Im Jahr 2023", "Im Bus 200", "Am Tempo 30 Schild", "Vor dem Haus Nr. 17".
_NOT_A_STREET_NAME = {
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
    "wochenende", "feiertag", "januar", "februar", "märz", "april", "mai", "juni", "juli",
    "august", "september", "oktober", "november", "dezember", "jahr", "jahre", "jahresende",
    "tag", "tage", "morgen", "vormittag", "mittag", "nachmittag", "abend", "nacht", "ende",
    "anfang", "monat", "monatsende", "woche", "zeitpunkt", "zeitraum", "moment", "bus", "linie",
    "gleis", "bahnsteig", "zug", "tram", "haus", "eingang", "ausgang", "bereich", "abschnitt",
    "abstand", "durchschnitt", "schnitt", "tempo", "beispiel", "ort", "stelle", "teil", "ziel",
    "kilometer", "meter", "mal", "zeit", "vergleich", "alter", "stück", "schild", "stand",
    "gebäude", "block", "aufgang", "stock", "stockwerk", "etage", "tor", "hof", "hinterhof",
    "wagen", "auto", "fahrzeug", "parkplatz", "kreuzung", "ampel", "haltestelle", "mast",
    "lichtmast", "laterne", "baum", "nummer", "nr", "platz", "hausnummer", "messpunkt",
    "messstelle", "station", "standort", "punkt", "rand", "container",
}

# -- names ----------------------------------------------------------------------------------

_NAME_AFTER_MARKER_RE = re.compile(
    r"\b(?:nama saya|atas nama|a\.n\.?)[ \u00a0:]+([A-Za-z'.]+(?:[ \u00a0]+[A-Za-z'.]+){0,2})",
    re.IGNORECASE,
)
# Honorific, titles in between, then one to three capitalised words (or an initial, "Herr
# H."). "Pak"/"Bu" take no full stop ("pak. Besok …" ends a sentence); "Sdr."/"Hr." do.
_ID_HONORIFIC = r"(?:[Pp]ak|[Bb]apak|[Bb]u|[Ii]bu|[Mm]bak|[Ss]dri?\.?|[Ss]audara|[Ss]audari)"
_DE_HONORIFICS = ("Herr", "Herrn", "Frau", "Hr.", "Fr.", "Dr.", "Prof.")
_DE_HONORIFIC = "(?:" + "|".join(re.escape(h) for h in _DE_HONORIFICS) + ")"
_TITLE = r"(?:Dr\.|dr\.|Prof\.|Ir\.|Drs\.|H\.|Hj\.|Haji|Hajjah|med\.|Dipl\.-Ing\.)"
# (a title is no name word: "Frau Dr. [NAME]" after redaction holds no name)
_NAME_WORD = (f"(?!(?:Dr|Prof|Drs|Ir|Hj|Dipl)\\.)"
              f"(?:[{_UPPER}][{_LOWER}']+(?:-[{_UPPER}][{_LOWER}]+)?|[{_UPPER}]\\.(?!\\w))")
_HONORIFIC_NAME_RE = re.compile(
    r"(?<![\w.-])(?P<honorific>" + _ID_HONORIFIC + r"|" + _DE_HONORIFIC + r")(?![\w])"
    r"(?:" + _SP + r"+" + _TITLE + r"){0,3}" + _SP + r"+"
    r"(?P<name>(?:(?:von|van|de|zu)(?:" + _SP + r"(?:der|dem|den))?" + _SP + r")?"
    + _NAME_WORD + r"(?:" + _SP + _NAME_WORD + r"){0,2})"
)
# German introductions: "mein Name ist …", "ich heiße …".
_NAME_INTRO_DE_RE = re.compile(
    r"\b(?:[Mm]ein" + _SP + r"+Name" + _SP + r"+ist|[Ii]ch" + _SP + r"+hei(?:ß|ss)e)" + _SP
    + r"+(?P<name>" + _NAME_WORD + r"(?:" + _SP + _NAME_WORD + r"){0,2})"
)
# A letter's sign-off: the name on the line after (or right after) "Mit freundlichen Grüßen",
# "Viele Grüße", "MfG", "Gruß", "Hormat saya" …, maybe after "Im Auftrag"/"i.A.", with quote
# marks of a forwarded e-mail ("> "). The name must fill the rest of its line ("K. V.",
# "Max Mustermann", "R.Lange", "A. Weber-Braun (15.10.23)"), so a sentence that starts on the
# next line ("Viele Grüße\nSeit Wochen liegt …") is no name.
_SIGN_OFF_TOKEN = (f"(?:[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
                   f"|[{_UPPER}]\\.?(?:[{_UPPER}][{_LOWER}]+)?)")
_SIGN_OFF_RE = re.compile(
    r"(?:\b(?:MfG|mfg|LG|VG|Grü(?:ß|ss)en?|Gru(?:ß|ss)|[Hh]ormat" + _SP + r"+(?:saya|kami)"
    r"|[Ss]alam" + _SP + r"+hormat|[Ww]assalam)\b)"
    r"[ \t\u00a0,.!:]*(?:\n[ \t\u00a0>]*){0,6}"
    r"(?:(?:i\." + _SP + r"?A\.|Im" + _SP + r"+Auftrag)[ \t\u00a0]*(?:\n[ \t\u00a0>]*){0,3})?"
    r"(?P<name>" + _SIGN_OFF_TOKEN + r"(?:" + _SP + r"+(?:(?:von|van|de|zu)" + _SP + r"+)?"
    + _SIGN_OFF_TOKEN + r"){0,3})"
    r"(?=[ \t\u00a0]*(?:$|\n|[(,]))",
    re.MULTILINE,
)
# Words that follow an honorific but are not a name: roles and offices ("Pak RT", "Bu Lurah",
# "Pak Ogah" – the informal traffic helpers), fixed phrases ("Ibu Kota", "Ibu Hamil") and
# ordinary words of Title-Case or German sentences ("Mohon Pak Segera …", "Frau Und …").
# A name stops before the first of them; one that starts with one is no name.
_NOT_A_NAME = {
    # Indonesian roles and phrases
    "rt", "rw", "lurah", "camat", "walikota", "wali", "gubernur", "wagub", "presiden", "menteri",
    "polisi", "polantas", "satpam", "hansip", "linmas", "ketua", "kepala", "kades", "kadis",
    "direktur", "dokter", "guru", "bidan", "ustadz", "ustad", "ustadzah", "kyai", "haji",
    "hajjah", "ogah", "kota", "negara", "pertiwi", "hamil", "rumah", "ibu", "bapak", "pak", "bu",
    "kos", "kost", "pemilik", "petugas", "sopir", "supir", "tukang", "satpol", "dinas", "yth",
    "warga", "pemerintah", "pejabat", "kapolsek", "kapolres", "kapolda", "babinsa",
    "bhabinkamtibmas", "sekretaris", "bendahara", "pengurus", "penjual", "pedagang", "ojek",
    "ojol", "driver", "kurir", "security", "manager", "admin", "operator", "pengelola",
    "pengemudi", "dewan", "anggota", "kapten", "komandan",
    # Indonesian sentence words written in Title Case
    "yang", "dan", "di", "ke", "dari", "untuk", "dengan", "mohon", "tolong", "segera", "sudah",
    "belum", "tidak", "ini", "itu", "saya", "kami", "kita", "anda", "minta", "harap", "agar",
    "atas", "terima", "kasih", "tersebut", "juga", "bisa", "mau", "ada", "sedang", "selalu",
    "sering", "masih", "apa", "kenapa", "mengapa", "bagaimana", "siapa", "kapan", "dimana",
    "terhormat", "selamat", "pagi", "siang", "sore", "malam", "tindak", "lanjuti", "lanjut",
    "harus", "akan", "telah", "karena", "jika", "kalau", "namun", "tapi", "atau", "para",
    "semua", "seluruh", "setempat", "sekitar", "daerah", "wilayah", "jalan", "jl", "gang",
    # German words after "Herr"/"Frau" that are not a name
    "und", "oder", "aber", "mit", "ohne", "die", "der", "das", "den", "dem", "des", "ein",
    "eine", "im", "am", "ab", "bis", "von", "zu", "ich", "sie", "er", "es", "wir", "ihr",
    "bitte", "danke", "polizist", "polizistin", "nachbar", "nachbarin", "kollege", "kollegin",
    "mitarbeiter", "mitarbeiterin", "sachbearbeiter", "sachbearbeiterin", "vermieter",
    "vermieterin", "hausmeister", "hausmeisterin", "halter", "halterin", "fahrer", "fahrerin",
    "doktor", "professor", "ordnungsamt", "bezirksamt", "amt", "senat", "senator", "senatorin",
    "bürgermeister", "bürgermeisterin", "stadtrat", "stadträtin", "hund", "hunde", "kind",
    "kinder", "müll", "namens", "name", "ober", "ihre", "team", "berlin", "jakarta",
    "anwohner", "anwohnerin", "nachbarn", "bürger", "bürgerin", "mfg", "gruß", "grüße",
}
# A lower-case word right before "Herr"/"Frau" that makes it a noun ("eine Frau", "der Herr",
# "ältere Frau"): articles, pronouns and adjective endings. Salutations keep the honorific
# ("Sehr geehrte Frau Schmidt", "Liebe Frau …").
_ARTICLE_RE = re.compile(
    r"(?:^|[^\w])(?:(?i:ein|eine|einer|einem|einen|eines|die|der|den|dem|des|diese[rmns]?"
    r"|jene[rmns]?|jede[rmns]?|keine[rmns]?|meine[rmns]?|deine[rmns]?|seine[rmns]?|ihre[rmns]?"
    r"|unsere[rmns]?|welche[rmns]?)|[" + _LOWER + r"]{2,}(?:e|er|en|em|es))" + _SP + r"+$"
)
# Salutations ("Sehr geehrte Frau Schmidt", "Liebe Frau …") and words ending like an
# adjective that are none ("wieder Herr …") keep the honorific.
_KEEPS_HONORIFIC_RE = re.compile(
    r"(?:^|[^\w])(?:geehrte[rn]?|liebe[rn]?|werte[rn]?|wieder|aber|oder|immer|über|unter|hinter"
    r"|sowie|bitte|habe|heute|seitens|gegenüber|nachdem|während)" + _SP + r"+$",
    re.IGNORECASE)
# Words right before a honorific that make it part of a public place's name, "Jl. Dr.
# Saharjo", "RS Dr. Cipto", "Praxis Dr. …": a street, hospital or school named after someone.
_PLACE_BEFORE_RE = re.compile(
    r"(?:\b(?:Jl|Jln|Jalan|Gg|Gang|RS|RSUD|RSU|RSIA|Rumah" + _SP + r"+Sakit|Universitas|Stasiun"
    r"|Halte|Gedung|Taman|Pasar|Masjid|Sekolah|SD|SDN|SMP|SMPN|SMA|SMAN|SMK|Puskesmas|Apotek"
    r"|Klinik|Kampus|Yayasan|Praxis)\.?" + _SP + r"+)$",
    re.IGNORECASE,
)

# -- protected ------------------------------------------------------------------------------

# Spans that look numeric but are not personal data. A candidate overlapping one is dropped.
_PROTECTED_RES = (
    re.compile(r"(?<![\d.])\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d.])"),  # 18-06-2023
    re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?!\d)"),  # ISO dates
    re.compile(r"(?<![\d.])\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?![\d.])"),  # times 10.30, 07:15
    re.compile(r"\bRp\.?[ \u00a0]?\d{1,3}(?:[.,]\d{3})*(?:,\d{1,2})?", re.IGNORECASE),  # money
    re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?[ \u00a0]?(?:€|EUR|Euro|rupiah)", re.IGNORECASE),
    # RT/RW numbers, each ending where the digits end: in "RT 05 / 08123456789" only "RT 05"
    # is protected, not the start of the phone number after it
    re.compile(r"\b(?:RT|RW)[ \u00a0.]*\d{1,3}(?!\d)(?:[ \u00a0]*/[ \u00a0]*(?:RW[ \u00a0.]*)?"
               r"\d{1,3}(?!\d))?", re.IGNORECASE),
)


class _Spans:
    """Disjoint spans sorted by start (so also by end): overlap test and insertion by
    bisection, so that a text with thousands of findings stays linear-logarithmic."""

    def __init__(self, spans=()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(spans):
            if self.ends and start < self.ends[-1]:  # merge overlapping (protected) spans
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans [0, i) start before ``end``
        return i > 0 and self.ends[i - 1] > start

    def next_start(self, after: int) -> int | None:
        """The start of the first span that starts after ``after``."""
        i = bisect.bisect_right(self.starts, after)
        return self.starts[i] if i < len(self.starts) else None

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _protected_spans(text: str) -> _Spans:
    return _Spans(m.span() for rx in _PROTECTED_RES for m in rx.finditer(text))


def _plates(text: str):
    for m in _ID_PLATE_RE.finditer(text):
        region, gap1, _digits, gap2, suffix = m.groups()
        after_keyword = bool(_PLATE_KEYWORD_RE.search(text, max(0, m.start() - 30), m.start()))
        lower = region.islower() and suffix.islower() and suffix not in _NOT_A_SUFFIX
        if (
            (region.isupper() and suffix.isupper())
            # lower case written apart ("b 1234 abc"), or glued and too long for a Berlin
            # case code ("b1234abc"; "bh5tkx" is one), and units are not suffixes ("a 10 km")
            or (lower and ((gap1 and gap2) or len(m.group()) >= _GLUED_LOWER_MIN))
            or (after_keyword and suffix.lower() not in _NOT_A_SUFFIX)
        ):
            yield m.start(), m.end()
    for m in _DE_PLATE_RE.finditer(text):
        letters = re.split(r"[ \u00a0\-]", m.group())[1]
        if letters.rstrip("0123456789") not in _DE_PLATE_NOT_LETTERS:
            yield m.start(), m.end()
    for m in _FR_PLATE_RE.finditer(text):
        yield m.start(), m.end()


def _addresses(text: str):
    # the preposition forms first: "Am Treptower Park 15" is one address, not "Am" + one
    for m in _DE_NO_SUFFIX_ADDRESS_RE.finditer(text):
        name = m.group("name")
        words = [w.lower() for w in re.split(r"[\s-]", name or "")]
        if any(w in _NOT_A_STREET_NAME or w in _NOT_A_STREET for w in words):
            continue
        yield m.start(), m.end()
    for rx in _ID_ADDRESS_RES:
        for m in rx.finditer(text):
            yield m.start(), m.end()
    for m in _DE_SUFFIX_ADDRESS_RE.finditer(text):
        if (m.group("street") or "").lower() not in _NOT_A_STREET:
            yield m.start(), m.end()


def _name_words(text: str, start: int, end: int) -> int:
    """The end of the name in ``text[start:end]``: before the first word that is no name."""
    name_end = start
    for w in re.finditer(r"\S+", text[start:end]):
        word = w.group().rstrip(".,")
        if word[:1].isupper() and word.lower() in _NOT_A_NAME:
            break
        name_end = start + w.end()
    return name_end


def _introduced_names(text: str):
    for m in _NAME_AFTER_MARKER_RE.finditer(text):
        yield m.start(1), m.end(1)
    for rx in (_NAME_INTRO_DE_RE, _SIGN_OFF_RE):
        for m in rx.finditer(text):
            yield m.start("name"), _name_words(text, m.start("name"), m.end("name"))


def _honorific_names(text: str):
    for m in _HONORIFIC_NAME_RE.finditer(text):
        before = text[max(0, m.start() - 30):m.start()]
        if _PLACE_BEFORE_RE.search(before):
            continue
        honorific = m.group("honorific")
        if re.fullmatch(r"[A-Z]\.", m.group("name")) and honorific not in _DE_HONORIFICS:
            continue  # "Pak H. …": Haji, a title; initials alone are read in German only
        if honorific in ("Herr", "Herrn", "Frau") and _ARTICLE_RE.search(before) and not (
                _KEEPS_HONORIFIC_RE.search(before)):
            continue
        if honorific == "Fr." and before.rstrip().endswith(("-", "–", "/", "bis")):
            continue  # "Mo.-Fr. Ab 7 Uhr": Friday, not Frau
        # the name ends before the first word that is not one; none left: no name
        yield m.start("name"), _name_words(text, m.start("name"), m.end("name"))


def _candidates(text: str):
    """(kind, start, end) in priority order: earlier kinds win overlapping text."""
    for rx in (_EMAIL_RE, _OBFUSCATED_EMAIL_RE):
        for m in rx.finditer(text):
            yield EMAIL, m.start(), m.end()
    for m in _NIK_RE.finditer(text):
        yield NIK, m.start(), m.end()
    for m in _NIK_AFTER_KEYWORD_RE.finditer(text):
        yield NIK, m.start(1), m.end(1)
    for rx in _PHONE_RES:
        for m in rx.finditer(text):
            yield PHONE, m.start(), m.end()
    for start, end in _plates(text):
        yield PLATE, start, end
    for start, end in _addresses(text):
        yield ADDRESS, start, end
    for start, end in (*_introduced_names(text), *_honorific_names(text)):
        yield NAME, start, end


def _find_spans(text: str) -> list[tuple[str, int, int]]:
    protected = _protected_spans(text)
    taken = _Spans()
    found: list[tuple[str, int, int]] = []
    for kind, start, end in _candidates(text):
        if kind == NAME:
            # a name running into data found before ("Herr Müller Friedrichstraße 12") keeps
            # the words before it
            after = taken.next_start(start)
            if after is not None and after < end:
                end = start + len(text[start:after].rstrip(" \u00a0,"))
        if start >= end or taken.overlaps(start, end):
            continue
        # Numbers inside a date/time/amount/RT-RW span are those, not personal data. A NIK
        # grouping is never a date or an amount, and words (e-mail, address, name) are never
        # protected by a number pattern.
        if kind in (PHONE, PLATE) and protected.overlaps(start, end):
            continue
        taken.add(start, end)
        found.append((kind, start, end))
    return sorted(found, key=lambda f: f[1])


def find_pii(text: str | None) -> list[tuple[str, str]]:
    """Every piece of personal data in ``text`` as ``(kind, matched_text)``, in text order."""
    if not text:
        return []
    return [(kind, text[start:end]) for kind, start, end in _find_spans(text)]


def contains_pii(text: str | None) -> bool:
    """True if :func:`find_pii` finds anything."""
    return bool(find_pii(text))


def redact(text: str | None) -> str | None:
    """``text`` with each piece of personal data replaced by its tag (``[PHONE]``, ``[NIK]`` …).

    Everything else is kept verbatim. ``None`` stays ``None``. The result never matches
    :func:`find_pii` (a tag contains no digits and no '@').
    """
    if text is None:
        return None
    out = text
    for kind, start, end in reversed(_find_spans(text)):
        out = out[:start] + f"[{kind}]" + out[end:]
    return out


def pseudonymise(value: str, key: bytes) -> str:
    """A stable, non-reversible stand-in for an identifier: HMAC-SHA256(key, value), hex.

    The same value and key always give the same 64-character hex string, so records can still
    be joined on it; without the key the value cannot be recovered or confirmed by guessing
    (a plain hash of a 16-digit NIK or a phone number could be brute-forced). The value is used
    exactly as given (UTF-8); normalise it (strip, upper-case, digits only …) before if needed.
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("pseudonymise needs a non-empty secret key (bytes)")
    if not isinstance(value, str):
        raise TypeError(f"pseudonymise expects str, got {type(value).__name__}")
    return hmac.new(bytes(key), value.encode("utf-8"), hashlib.sha256).hexdigest()
