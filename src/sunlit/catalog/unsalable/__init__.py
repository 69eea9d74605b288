"""Unsalable stock: farmers' reports of produce that will not sell, and who helps."""
