"""Products: listings, reference price bands, stock and the products API."""
