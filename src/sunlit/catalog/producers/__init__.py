"""Producers: households, cooperatives and enterprises, their verification and managers."""
