"""WHO global air quality guidelines 2021: the 24-hour AQG levels used for exceedance days."""

WHO_2021_24H_UGM3 = {"pm25": 15.0, "pm10": 45.0, "no2": 25.0}


def reference_rows() -> list[dict]:
    return [{"standard": "WHO-2021", "pollutant": p, "averaging": "24h", "limit_ugm3": v}
            for p, v in WHO_2021_24H_UGM3.items()]
