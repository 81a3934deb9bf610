"""Views of the customer blueprint."""
