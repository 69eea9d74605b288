"""Shipments: the carrier adapter, the sandbox carrier, tracking timelines and the confirmation
of receipt some days after the carrier's delivery."""
