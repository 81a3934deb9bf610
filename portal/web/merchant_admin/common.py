"""Small helpers shared by the merchant area's views."""
from ...core.errors import DomainError


def attach_error(form, error: DomainError) -> None:
    """Show a service error on its field, or above the form when the field is not on it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors") and error.field != "version":
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))
