"""`make bench`: the portal's main pages under gunicorn against a bare Flask app under the same gunicorn."""
