"""The composition root: the one place that knows every context. ``app`` builds the web
application (its routers, middleware and error pages), ``services`` the container every part is
given, ``jobs`` the background work, ``reactions`` who reacts to whose events, ``schema`` every
context's tables, ``pages`` the pages that gather from several contexts (the home page)."""
