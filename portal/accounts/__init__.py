"""People who sign in: customers, staff, API tokens, sign-in links, and the audit trail of what they changed."""
