"""What the claims API accepts: the figures as announced (GMV in fen). Signs and the rule
that at least one figure is given are checked by the model, whose messages say what is wrong."""

from __future__ import annotations

from pydantic import BaseModel, Field

from sunlit.core.text import CleanText
from sunlit.disclosure.claims.model import MAX_SOURCE, NewClaim


class ClaimIn(BaseModel):
    source: CleanText = Field(
        max_length=MAX_SOURCE, description="where the figures were announced: a title or a URL"
    )
    gmv: int | None = Field(None, description="announced sales (GMV) in fen, ≥ 0")
    orders: int | None = Field(None, description="announced orders, ≥ 0")
    units: int | None = Field(None, description="announced units sold, ≥ 0")
    viewers: int | None = Field(None, description="announced viewers, ≥ 0")

    def claim(self) -> NewClaim:
        return NewClaim(self.source, self.gmv, self.orders, self.units, self.viewers)
