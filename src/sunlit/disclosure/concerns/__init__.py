"""Concerns (关切): anyone raises one about a session, a product or an order; the named party
answers in public within a deadline; a supervisor accepts, asks again or escalates; the person
who raised it rates the answer (docs/adr/0010-disclosure-and-concerns.md, decisions 5 and 6)."""
