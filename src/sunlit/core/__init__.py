"""Shared pieces: money, ids, clock, errors, storage and the event log."""
