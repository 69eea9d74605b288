"""Open data and the public log (issue 22): every public record as a revision in an
append-only Merkle tree whose heads Sunlit signs, a change feed a mirror polls, daily bulk
files, and the checks anyone can run against them (docs/open-data.md)."""
