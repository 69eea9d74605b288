"""The claims register (issue 16, docs/adr/0010-disclosure-and-concerns.md, decision 7): a
press account registers the figures it announced about a session; Sunlit writes each as a
``claim.published`` event, and the public page sets it against the verified figures."""
