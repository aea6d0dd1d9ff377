"""Sources that serve both cities (asset keys `global/…`; the folder carries PEP 8's trailing
underscore because `global` is a Python keyword)."""
