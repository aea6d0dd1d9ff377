"""Berlin Ordnungsamt-Online citizen reports ("Meldungen"): daily snapshots and status history."""
