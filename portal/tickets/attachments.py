"""Check uploaded attachments by their content and keep them on disk under random names."""
import enum
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from ..core.errors import NotFound, ValidationError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
CHUNK = 64 * 1024
FIELD = "attachments"


class FileKind(enum.StrEnum):
    png = "png"
    jpeg = "jpeg"
    gif = "gif"
    webp = "webp"
    pdf = "pdf"

    @property
    def mime(self) -> str:
        return "application/pdf" if self is FileKind.pdf else f"image/{self.value}"

    @property
    def extension(self) -> str:
        return "jpg" if self is FileKind.jpeg else self.value

    @property
    def is_image(self) -> bool:
        return self is not FileKind.pdf


# Enough of the head of a file to tell every accepted kind apart.
HEAD_BYTES = 16


def sniff(head: bytes) -> FileKind | None:
    """Return the kind of file the first bytes announce, or None for anything not accepted."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return FileKind.png
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.jpeg
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FileKind.gif
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return FileKind.webp
    # Readers tolerate junk before %PDF-, but an HTML page could hide there, so the header must come first.
    if re.match(rb"%PDF-[12]\.\d", head):
        return FileKind.pdf
    return None


@dataclass(frozen=True)
class Inspected:
    kind: FileKind
    mime: str
    size: int
    safe_name: str
    extension: str


# Characters that mean something to a file system or a Content-Disposition header.
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]')
_MAX_NAME = 100


def safe_display_name(filename: str | None, kind: FileKind) -> str:
    """Return a name to offer on download: the user's base name, cleaned, with the detected extension."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    stem, dot, _ext = name.rpartition(".")
    stem = stem if dot else name
    stem = " ".join(_UNSAFE_CHARS.sub("_", stem).split()).strip(". ")
    # The detected extension replaces the typed one so the download opens with the right program.
    return f"{stem[:_MAX_NAME] or 'attachment'}.{kind.extension}"


def _display(filename: str | None) -> str:
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:_MAX_NAME] or "?"


def inspect_upload(stream: BinaryIO, filename: str | None, max_bytes: int = MAX_BYTES) -> Inspected:
    """Check one upload by content and size, reading it in chunks, and rewind it for storing."""
    name = _display(filename)
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    size = len(head)
    if size == 0:
        raise ValidationError(_l("%(name)s is empty.", name=name), field=FIELD)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            _l("%(name)s is not an image (PNG, JPEG, GIF, WebP) or a PDF.", name=name), field=FIELD)
    # Counting in chunks stops at the limit: an oversized upload is never held in memory whole.
    while size <= max_bytes and (chunk := stream.read(CHUNK)):
        size += len(chunk)
    if size > max_bytes:
        raise ValidationError(
            _l("%(name)s is larger than %(max)s MB.", name=name, max=f"{max_bytes / (1024 * 1024):g}"),
            field=FIELD)
    stream.seek(0)
    return Inspected(kind, kind.mime, size, safe_display_name(filename, kind), kind.extension)


def inspect_uploads(files, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> list[Inspected]:
    """Check a message's uploads (objects with .stream and .filename), skipping empty file inputs."""
    chosen = [f for f in files if f is not None and f.filename]
    if len(chosen) > max_files:
        raise ValidationError(_l("Attach at most %(max)d files.", max=max_files), field=FIELD)
    return [inspect_upload(f.stream, f.filename, max_bytes) for f in chosen]


# A storage key is exactly what new keys look like, so no user text can ever become a path.
_KEY = re.compile(r"[0-9a-f]{32}")


def _path(root_dir: str | os.PathLike, key: str) -> Path:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise NotFound(_l("Attachment not found."))
    return Path(root_dir) / key[:2] / key[2:4] / key


def store(inspected: Inspected, stream: BinaryIO, root_dir: str | os.PathLike) -> str:
    """Copy the checked upload under a random name below root_dir and return its storage key."""
    key = secrets.token_hex(16)
    target = _path(root_dir, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{key}.part")
    stream.seek(0)
    written = 0
    try:
        # O_EXCL: never overwrite a file, even on the 2^-128 chance of a repeated key.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as out:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > inspected.size:
                    raise ValidationError(_l("The file changed while it was being saved."), field=FIELD)
                out.write(chunk)
        # The rename makes the file appear whole or not at all.
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return key


def stored_path(root_dir: str | os.PathLike, key: str) -> Path:
    """Return the path of a stored attachment, or raise NotFound for a malformed or missing key."""
    path = _path(root_dir, key)
    if not path.is_file():
        raise NotFound(_l("Attachment not found."))
    return path


def open_stored(root_dir: str | os.PathLike, key: str) -> BinaryIO:
    """Open a stored attachment for reading, refusing keys that are not storage keys."""
    try:
        return stored_path(root_dir, key).open("rb")
    except OSError as exc:
        raise NotFound(_l("Attachment not found.")) from exc


def delete_stored(root_dir: str | os.PathLike, key: str) -> None:
    """Remove a stored attachment, e.g. when the message that owned it was not saved."""
    _path(root_dir, key).unlink(missing_ok=True)
