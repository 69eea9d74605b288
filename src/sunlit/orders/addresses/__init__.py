"""The buyers' saved address books: at most a few addresses each, one of them the default."""
