"""Open-Meteo historical-archive CSV exports: docs/sources/global-weather-exports.md."""
