"""Filing (报备): session plans, boundary rules as code, approvals and the stream gate."""
