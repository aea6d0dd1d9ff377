"""A source folder to copy (docs/adding-a-source.md). Never loaded: discovery skips folders
whose name starts with ``_``."""
