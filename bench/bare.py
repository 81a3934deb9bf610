"""The yardstick: a Flask app that answers "ok", served by the same gunicorn settings as the portal."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    return "ok"
