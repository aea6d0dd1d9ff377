"""The monthly PM chart shown in the mart's materialisation metadata (PNG, inline)."""

from __future__ import annotations

import base64
import io

import pandas as pd

CITY_COLOURS = {"jakarta": "#d95f02", "berlin": "#1b9e77"}


def monthly_pm_png(monthly: pd.DataFrame) -> bytes:
    """Monthly mean PM2.5 and PM10, Jakarta against Berlin, one panel per pollutant."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display in the code server or CI
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, dpi=100)
    for ax, pollutant, label in zip(axes, ("pm25", "pm10"), ("PM2.5", "PM10")):
        for city, colour in CITY_COLOURS.items():
            rows = monthly[(monthly["city"] == city) & (monthly["pollutant"] == pollutant)]
            rows = rows.dropna(subset=["mean_concentration_ugm3"]).sort_values("month")
            if rows.empty:
                continue
            series = rows.set_index(pd.to_datetime(rows["month"]))["mean_concentration_ugm3"]
            # months without data become gaps in the line rather than a bridge across years
            series = series.reindex(pd.date_range(series.index.min(), series.index.max(),
                                                  freq="MS"))
            ax.plot(series.index, series.to_numpy(dtype=float), marker="o", markersize=3,
                    linewidth=1.2, color=colour, label=city.capitalize())
        guideline = {"pm25": 15, "pm10": 45}[pollutant]
        ax.axhline(guideline, color="grey", linestyle="--", linewidth=0.8,
                   label=f"WHO 2021 24-h guideline ({guideline} µg/m³)")
        ax.set_ylabel(f"{label} µg/m³")
        ax.set_title(f"Monthly mean {label}", fontsize=10, loc="left")
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    fig.text(0.01, 0.005, "Jakarta: derived from published ISPU sub-indices; "
             "Berlin: measured (BLUME).", fontsize=7, color="grey")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def as_markdown_image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
