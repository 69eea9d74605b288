"""A second event-stream generator, written from the public specifications only.

Sunlit's detectors were developed against its own crowd simulator; this package makes streams
in the same public format (docs/events.md) with the abuses the integrity specification names, drawn
independently, so that the detectors can be scored on data they were never tuned to
(docs/independent-generator.md).
"""

from sunlit.independent.generator import CAMOUFLAGES, RULES, generate

__all__ = ["CAMOUFLAGES", "RULES", "generate"]
