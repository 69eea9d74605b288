"""Uploaded files, stored by content (SHA-256), with their type checked from their bytes."""
