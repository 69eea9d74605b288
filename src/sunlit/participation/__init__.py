"""Farmer participation: consent to prices, ratings, anonymous reports."""
