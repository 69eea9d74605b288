"""Administrative divisions (GB/T 2260): reference data every context needs (docs/adr/0008).
``model`` is pure; ``sources`` reads the official list; ``tables`` and ``register`` keep it in the
database; ``services`` answers which regions exist and which this deployment serves."""
