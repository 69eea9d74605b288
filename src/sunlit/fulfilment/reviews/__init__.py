"""Reviews after delivery: stars, text, photos and marks for freshness, packaging and delivery
speed; the producer's public reply; moderation for abuse only."""
