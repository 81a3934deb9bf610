"""Attachments: accepted by content, size-limited in chunks, stored under random keys, no path traversal."""
import io
import os
import re
import struct
import zlib

import pytest
from werkzeug.datastructures import FileStorage

from portal.core.errors import NotFound, ValidationError
from portal.tickets.attachments import (
    CHUNK,
    MAX_BYTES,
    FileKind,
    Inspected,
    delete_stored,
    inspect_upload,
    inspect_uploads,
    open_stored,
    safe_display_name,
    store,
    stored_path,
)


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)           # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")                     # filter byte + one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_tiny() -> bytes:
    # SOI, a JFIF APP0 segment, EOI: the frame is irrelevant to a content check.
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


GIF_1X1 = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
           b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP_1X1 = bytes.fromhex("524946461a000000574542505650384c0d0000002f00000010071011118888fe0700")


def pdf_minimal() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SAMPLES = {
    FileKind.png: png_1x1(),
    FileKind.jpeg: jpeg_tiny(),
    FileKind.gif: GIF_1X1,
    FileKind.webp: WEBP_1X1,
    FileKind.pdf: pdf_minimal(),
}


@pytest.mark.parametrize("kind, mime, extension", [
    (FileKind.png, "image/png", "png"),
    (FileKind.jpeg, "image/jpeg", "jpg"),
    (FileKind.gif, "image/gif", "gif"),
    (FileKind.webp, "image/webp", "webp"),
    (FileKind.pdf, "application/pdf", "pdf"),
])
def test_each_accepted_type(kind, mime, extension):
    data = SAMPLES[kind]
    stream = io.BytesIO(data)
    stream.seek(5)  # whatever the caller left the stream at, the whole file is checked
    inspected = inspect_upload(stream, f"arquivo.{extension}")
    assert inspected == Inspected(kind, mime, len(data), f"arquivo.{extension}", extension)
    assert stream.tell() == 0
    assert kind.is_image is (kind is not FileKind.pdf)


def test_the_name_does_not_decide_the_type():
    inspected = inspect_upload(io.BytesIO(SAMPLES[FileKind.png]), "nota fiscal.pdf")
    assert inspected.kind is FileKind.png
    assert inspected.mime == "image/png"
    assert inspected.safe_name == "nota fiscal.png"


@pytest.mark.parametrize("content, filename", [
    (b"<!DOCTYPE html><script>alert(1)</script>", "photo.png"),
    (b"<html><body>hi</body></html>", "doc.pdf"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.png"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64, "setup.exe"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64, "invoice.pdf"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 32, "image.jpg"),
    (b"PK\x03\x04" + b"\x00" * 40, "scan.pdf"),                          # zip (also docx, xlsx)
    (b"plain text, not a picture", "foto.jpg"),
    (b"<html>%PDF-1.4 hidden further in</html>", "doc.pdf"),
    (b"\x89PNG\r\n\x1a\n", "truncated.png"),                            # a signature with no header chunk
    (b"RIFF\x1a\x00\x00\x00WAVEfmt ", "sound.webp"),                    # RIFF, but audio
])
def test_other_content_is_refused(content, filename):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(io.BytesIO(content), filename)
    assert filename in str(caught.value.message)
    assert caught.value.field == "attachments"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        inspect_upload(io.BytesIO(b""), "vazio.png")
    assert str(caught.value.message) == "vazio.png is empty."


class CountingStream(io.RawIOBase):
    """A large upload that is generated on demand and records how it was read."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.pos = head, size, 0
        self.read_sizes: list[int] = []

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.pos = offset
        return offset

    def read(self, n=-1):
        self.read_sizes.append(n)
        if n is None or n < 0:
            raise AssertionError("the whole upload was requested at once")
        end = min(self.size, self.pos + n)
        data = (self.head[self.pos:end] if self.pos < len(self.head) else b"").ljust(end - self.pos, b"\0")
        self.pos = end
        return data


def test_an_oversized_file_is_refused_reading_in_chunks():
    stream = CountingStream(SAMPLES[FileKind.pdf], 11 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        inspect_upload(stream, "grande.pdf")
    assert str(caught.value.message) == "grande.pdf is larger than 10 MB."
    assert max(stream.read_sizes) <= CHUNK
    assert stream.pos <= MAX_BYTES + CHUNK  # stopped at the limit, not at the end of the file


def test_the_size_limit_is_inclusive_and_configurable():
    exactly = SAMPLES[FileKind.pdf].ljust(MAX_BYTES, b"\n")
    assert inspect_upload(io.BytesIO(exactly), "a.pdf").size == MAX_BYTES
    with pytest.raises(ValidationError):
        inspect_upload(io.BytesIO(exactly + b"\n"), "a.pdf")
    with pytest.raises(ValidationError) as caught:
        inspect_upload(io.BytesIO(SAMPLES[FileKind.png].ljust(3 * 1024 * 1024)), "b.png", max_bytes=2 * 1024 * 1024)
    assert str(caught.value.message) == "b.png is larger than 2 MB."


def upload(kind: FileKind, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(SAMPLES[kind]), filename=name)


def test_inspect_uploads_skips_empty_inputs_and_limits_the_count():
    files = [upload(FileKind.png, "1.png"), FileStorage(io.BytesIO(b""), filename=""), None,
             upload(FileKind.pdf, "2.pdf")]
    assert [i.kind for i in inspect_uploads(files)] == [FileKind.png, FileKind.pdf]
    five = [upload(FileKind.gif, f"{n}.gif") for n in range(5)]
    assert len(inspect_uploads(five)) == 5
    with pytest.raises(ValidationError) as caught:
        inspect_uploads(five + [upload(FileKind.gif, "6.gif")])
    assert str(caught.value.message) == "Attach at most 5 files."


@pytest.mark.parametrize("filename, kind, expected", [
    ("foto.png", FileKind.png, "foto.png"),
    ("Relatório Final.PDF", FileKind.pdf, "Relatório Final.pdf"),
    ("scan.jpeg", FileKind.jpeg, "scan.jpg"),
    ("../../etc/passwd", FileKind.png, "passwd.png"),
    ("C:\\Users\\ana\\Desktop\\nota.pdf", FileKind.pdf, "nota.pdf"),
    ("..", FileKind.pdf, "attachment.pdf"),
    ("", FileKind.gif, "attachment.gif"),
    (None, FileKind.gif, "attachment.gif"),
    (".htaccess", FileKind.png, "attachment.png"),
    ('a"b;c\r\nd<e>.png', FileKind.png, "a_b_c__d_e_.png"),
    ("x" * 300 + ".pdf", FileKind.pdf, "x" * 100 + ".pdf"),
    ("arquivo.tar.gz", FileKind.pdf, "arquivo.tar.pdf"),
])
def test_safe_display_name(filename, kind, expected):
    assert safe_display_name(filename, kind) == expected


def test_store_uses_a_random_two_level_path_and_round_trips(tmp_path):
    data = SAMPLES[FileKind.webp]
    stream = io.BytesIO(data)
    inspected = inspect_upload(stream, "../../evil.webp")
    key = store(inspected, stream, tmp_path)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    path = tmp_path / key[:2] / key[2:4] / key
    assert path.read_bytes() == data
    assert stored_path(tmp_path, key) == path
    with open_stored(tmp_path, key) as stored:
        assert stored.read() == data
    # Nothing the user typed reaches the disk, and no partial file is left behind.
    names = [name for _, _, files in os.walk(tmp_path) for name in files]
    assert names == [key]
    assert not (tmp_path.parent / "evil.webp").exists()
    second = store(inspected, io.BytesIO(data), tmp_path)
    assert second != key
    delete_stored(tmp_path, key)
    with pytest.raises(NotFound):
        open_stored(tmp_path, key)


def test_store_refuses_a_stream_that_grew_after_inspection(tmp_path):
    stream = io.BytesIO(SAMPLES[FileKind.png])
    inspected = inspect_upload(stream, "a.png")
    stream.seek(0, io.SEEK_END)
    stream.write(b"\0" * (2 * CHUNK))
    with pytest.raises(ValidationError):
        store(inspected, stream, tmp_path)
    assert [name for _, _, files in os.walk(tmp_path) for name in files] == []


@pytest.mark.parametrize("key", [
    "../../etc/passwd",
    "..",
    "",
    "ab/cd/" + "a" * 32,
    "a" * 31,
    "a" * 33,
    "A" * 32,                    # upper case is not what store() makes
    "g" * 32,
    "a" * 31 + "/",
    "/" + "a" * 31,
    "a" * 30 + "\0a",
    "a" * 32 + "\n",
    None,
    123,
])
def test_keys_of_another_shape_are_refused(tmp_path, key):
    (tmp_path / "secret.txt").write_text("nope")
    with pytest.raises(NotFound):
        open_stored(tmp_path, key)
    with pytest.raises(NotFound):
        delete_stored(tmp_path, key)
    assert (tmp_path / "secret.txt").exists()


def test_a_well_formed_key_that_was_never_stored_is_not_found(tmp_path):
    with pytest.raises(NotFound):
        open_stored(tmp_path, "0" * 32)
