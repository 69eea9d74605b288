"""The web layer: thin routes, templates, the authorisation helper and middleware."""
