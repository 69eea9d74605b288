"""Quality: inspection documents and photos of products."""
