"""Shipping fees by destination zone: the zones, the producers' fees, their page and API."""
