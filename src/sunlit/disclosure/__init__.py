"""Public disclosure (公示): what everyone may see of a session, from the moment a supervisor
approves it (docs/adr/0010-disclosure-and-concerns.md)."""
