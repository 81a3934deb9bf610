"""Static assets: fingerprinted URLs that browsers keep for a year, compressed once per process.

`url_for("static", filename=...)` adds `v=<digest of the file's content>`. A request that names the current
digest is answered with `Cache-Control: public, max-age=31536000, immutable`; any other (no digest, an old
one) must be revalidated with its ETag, so a deploy never leaves a browser on stale CSS or JS.

The portal serves its static files itself (no separate file server is assumed), so each file is read, and
its brotli and gzip forms made, the first time it is asked for; later requests pick the stored form that the
browser accepts. The responses go through Flask like any other, so the security headers apply to them too.

JSON and other dynamic text responses listed in `COMPRESSED_TYPES` are compressed by Flask-Compress. HTML is
left uncompressed on purpose: its pages carry the CSRF token next to text the user typed, the pairing BREACH
needs to guess a secret from compressed sizes.
"""
import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass, field

import brotli
from flask import Flask, Response, abort, request
from flask_compress import Compress
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
MIN_SIZE = 500
TEXT_TYPES = {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json"}
COMPRESSED_TYPES = ["application/json", "application/problem+json", "text/css", "text/javascript", "image/svg+xml"]

compress = Compress()


@dataclass
class Asset:
    mtime: float
    mimetype: str
    digest: str
    forms: dict[str, bytes] = field(default_factory=dict)  # "identity", "br", "gzip"

    def pick(self, accepted) -> str:
        """The best stored form for a request's `Accept-Encoding` (werkzeug's parsed header)."""
        for coding in ("br", "gzip"):
            if coding in self.forms and accepted[coding] > 0:
                return coding
        return "identity"


class Assets:
    """The static folder's files, read and compressed once per process (again when a file changes in debug)."""

    def __init__(self, folder: str, watch: bool):
        self.folder = os.path.realpath(folder)
        self.watch = watch
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def get(self, filename: str) -> Asset | None:
        known = self._assets.get(filename)
        if known is not None and not self.watch:
            return known
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        if known is not None and known.mtime == mtime:
            return known
        if not os.path.isfile(path) or not os.path.realpath(path).startswith(self.folder + os.sep):
            return None
        with self._lock:
            asset = self._load(path, mtime)
            self._assets[filename] = asset
        return asset

    @staticmethod
    def _load(path: str, mtime: float) -> Asset:
        with open(path, "rb") as handle:
            data = handle.read()
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        asset = Asset(mtime=mtime, mimetype=mimetype, digest=hashlib.sha256(data).hexdigest()[:12])
        asset.forms["identity"] = data
        if mimetype in TEXT_TYPES and len(data) >= MIN_SIZE:
            asset.forms["br"] = brotli.compress(data, quality=11)
            asset.forms["gzip"] = gzip.compress(data, compresslevel=9, mtime=0)
        return asset

    def digest(self, filename: str) -> str | None:
        asset = self.get(filename)
        return asset.digest if asset else None


def long_lived(response: Response) -> None:
    """Let browsers and proxies keep this response for a year without asking again."""
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True


def revalidated(response: Response) -> None:
    """Let browsers keep this response but ask (with its ETag) before each use."""
    response.cache_control.public = True
    response.cache_control.no_cache = True


def register_assets(app: Flask) -> None:
    assets = Assets(app.static_folder, watch=app.debug)
    app.extensions["assets"] = assets

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = assets.digest(values["filename"])
            if digest:
                values["v"] = digest

    def serve_static(filename: str):
        asset = assets.get(filename)
        if asset is None:
            abort(404)
        coding = asset.pick(request.accept_encodings)
        response = Response(asset.forms[coding], mimetype=asset.mimetype)
        if coding != "identity":
            response.headers["Content-Encoding"] = coding
        if len(asset.forms) > 1:
            response.vary.add("Accept-Encoding")
        response.set_etag(asset.digest if coding == "identity" else f"{asset.digest}-{coding}")
        if request.args.get("v") == asset.digest:
            long_lived(response)
        else:
            revalidated(response)
        return response.make_conditional(request)

    app.view_functions["static"] = serve_static

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    compress.init_app(app)
