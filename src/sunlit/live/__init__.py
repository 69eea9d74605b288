"""The live room: presence, chat and moderation, likes, pinned products, live counters."""
