"""The fault matrix: every case records its outcome in :mod:`.ledger`; the session prints one
line per fault and the total (``make faults`` runs every case, the default run a quick subset:
``SMARTCHANGE_FAULTS=full`` switches to the full matrix)."""

from __future__ import annotations

import os

FULL = os.environ.get("SMARTCHANGE_FAULTS") == "full"
