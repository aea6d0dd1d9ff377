"""DWD daily climate observations (KL) at Berlin stations: docs/sources/berlin-dwd-climate.md."""
