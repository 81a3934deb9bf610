"""Domain errors raised by services; views and the API turn them into responses."""


class DomainError(Exception):
    """Base for errors a user can act on; `message` is user-facing (translatable)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    status_code = 422
    code = "validation_error"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
