"""Domain verbs. They flush, never commit, and raise DomainError subclasses."""
