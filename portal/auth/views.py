"""Views of the auth blueprint."""
