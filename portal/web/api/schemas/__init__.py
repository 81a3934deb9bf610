"""The API's request and response models: validation and the OpenAPI document both come from them."""
