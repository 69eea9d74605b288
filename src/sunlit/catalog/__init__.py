"""Regions (GB/T 2260), producers, products, quality and reference prices."""
