"""Imports: producer rosters and reference bands from CSV (parsing is pure: ``model``)."""
