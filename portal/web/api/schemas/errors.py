"""The API's error bodies."""
from typing import Annotated

from pydantic import Field

from .orders import Reply


class ErrorDetail(Reply):
    code: Annotated[str, Field(examples=["validation_error"])]
    message: Annotated[str, Field(description="In the caller's language (Accept-Language).")]
    field: Annotated[str | None, Field(description="Dotted path of the offending field, such as items[2].quantity.")]


class Error(Reply):
    error: ErrorDetail


class WebhookErrorDetail(ErrorDetail):
    request_id: str


class WebhookError(Reply):
    error: WebhookErrorDetail
