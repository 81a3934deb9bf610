"""Views of the API blueprint."""
