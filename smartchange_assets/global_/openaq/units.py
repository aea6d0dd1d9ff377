"""OpenAQ units to µg/m³ (docs/sources/global-openaq.md §3: providers report gases in ppm,
Europe in µg/m³).

A mixing ratio becomes a mass concentration through the molar volume of an ideal gas:
``µg/m³ = ppm × M / Vm × 1000`` with ``Vm = R·T/p``, here **25 °C (298.15 K) and 1 atm
(101.325 kPa)**, the reference conditions the research report's factors use, so
``Vm = 24.465 L/mol``.
That gives per ppm: NO2 ≈ 1,880 µg/m³, O3 ≈ 1,962, SO2 ≈ 2,619, CO ≈ 1,145 (= 1.145 mg/m³),
the research report's values. (EU reporting uses 20 °C for gases; the difference is 1.7 %.)

Only NO2, O3, SO2 and CO have a factor. A mass unit converts for any parameter; a mixing ratio
of another gas (NO, NOx) has no factor here and gives no µg/m³ value.
"""

from __future__ import annotations

R = 8.314462618  # J/(mol·K)
T_K = 298.15  # 25 °C
P_PA = 101_325.0  # 1 atm
MOLAR_VOLUME_L = R * T_K / P_PA * 1000  # 24.465 L/mol

MOLAR_MASS_G = {"no2": 46.0055, "o3": 47.9982, "so2": 64.066, "co": 28.0101}
UGM3_PER_PPM = {gas: m / MOLAR_VOLUME_L * 1000 for gas, m in MOLAR_MASS_G.items()}

# unit spellings, compared after normalise_unit()
MASS_UNITS = {"µg/m³": 1.0, "mg/m³": 1000.0}
MIXING_UNITS = {"ppm": 1.0, "ppb": 0.001}

# Parameters whose value is a concentration a unit must make sense for; anything else
# (temperature, humidity, particle counts) is kept as published with no µg/m³ value.
POLLUTANTS = frozenset({"pm1", "pm10", "pm25", "no2", "o3", "so2", "co", "no", "nox", "bc"})


def normalise_unit(units: str) -> str:
    """'ug/m3', 'μg/m³' (Greek mu), 'µg/m3' -> 'µg/m³'; 'PPM' -> 'ppm'."""
    text = units.strip().lower().replace("μ", "µ").replace("m3", "m³")
    return "µ" + text[1:] if text.startswith("ug/") else text


def to_ugm3(parameter: str, units: str, value: float) -> tuple[float | None, str | None]:
    """(value in µg/m³ or None, problem or None). A problem only for a pollutant whose unit
    is not understood: that row cannot be compared and must not be staged as if it could."""
    unit = normalise_unit(units)
    if unit in MASS_UNITS:
        return value * MASS_UNITS[unit], None
    if unit in MIXING_UNITS:
        factor = UGM3_PER_PPM.get(parameter)
        return (None if factor is None else value * MIXING_UNITS[unit] * factor), None
    if parameter in POLLUTANTS:
        return None, f"unit {units!r} of {parameter} is neither a mass concentration nor ppm/ppb"
    return None, None
