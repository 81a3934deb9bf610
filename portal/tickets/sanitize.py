"""Clean message bodies to a small HTML allow-list, and turn them back into plain text for e-mail."""
import re
import threading
from functools import lru_cache, partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bleach.linkifier import LinkifyFilter, build_url_re
from bleach.sanitizer import Cleaner

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# Text that already carries block structure is HTML (a text module, a marketplace message); anything
# else came from a textarea, where a newline is all the formatting the writer had.
_BLOCK_MARKUP = re.compile(r"<\s*/?\s*(p|br|ul|ol|li|blockquote|pre)\b", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")


def _link_attributes(attrs, new=False):
    """Keep a link only if it points to http, https or mailto, and make it open safely."""
    href = attrs.get((None, "href"), "")
    scheme = urlsplit(href.strip()).scheme.lower() if href else ""
    if scheme not in ALLOWED_PROTOCOLS:
        # Returning None unwraps the link and keeps its text (the sanitizer already removed a bad href).
        return None
    attrs[(None, "rel")] = LINK_REL
    if scheme != "mailto":
        attrs[(None, "target")] = "_blank"
    return attrs


def _make_cleaner() -> Cleaner:
    return Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(
            LinkifyFilter,
            callbacks=[_link_attributes],
            skip_tags={"pre", "code"},
            parse_email=True,
            # Only http(s) and bare domains become links; the default list would also link "data:" text.
            url_re=build_url_re(protocols=["http", "https"]),
        )],
    )


# bleach's Cleaner keeps parser state between calls: one per thread.
_local = threading.local()

# Pages clean each stored message again as they show it (the stored text is already clean; this keeps a
# row written before a rule changed safe too). The result depends on the text alone, so it is kept.
CACHED_LENGTH = 16_384


def _cleaner() -> Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _make_cleaner()
    return cleaner


def text_to_html(text: str) -> str:
    """Turn textarea line breaks into paragraphs and <br>, leaving text that has block markup alone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or _BLOCK_MARKUP.search(text):
        return text
    paragraphs = _BLANK_LINE.split(text)
    return "".join("<p>" + para.strip().replace("\n", "<br>\n") + "</p>" for para in paragraphs)


def clean_message_html(text: str | None) -> str:
    """Return the message as safe HTML: allow-listed tags only, links made safe, bare URLs linked.

    Disallowed tags are removed and their text kept; script and style bodies survive only as inert,
    escaped text. As in any HTML, a "<" directly followed by a letter opens a tag, so "x<y" loses
    "<y"; "x < y" is kept. A message left with no text (only an image, say) comes back as "", so
    callers can refuse it with `plain_text(cleaned) == ""`.
    """
    if not text:
        return ""
    if len(text) <= CACHED_LENGTH:
        return _clean_cached(text)
    return _clean(text)


def _clean(text: str) -> str:
    # A stripped <img> or <svg> would otherwise leave an empty paragraph behind.
    return _EMPTY_PARAGRAPH.sub("", _cleaner().clean(text_to_html(text)))


_clean_cached = lru_cache(maxsize=2048)(_clean)


class _TextExtractor(HTMLParser):
    """Collect readable text from HTML, keeping paragraphs, line breaks, list items and link targets."""

    _BLOCKS = frozenset({"p", "ul", "ol", "blockquote", "pre", "div", "h1", "h2", "h3", "h4", "h5", "h6"})
    _HIDDEN = frozenset({"script", "style", "template", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pre = 0
        self._hidden = 0
        self._links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")
            self._pre += tag == "pre"
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag):
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            shown = "".join(self.parts[start:]).strip()
            # A reader of the text part needs the address; repeating it after itself would be noise.
            if href and href not in (shown, "mailto:" + shown, "http://" + shown, "https://" + shown):
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if self._hidden:
            return
        if self._pre:
            self.parts.append(data)
            return
        data = re.sub(r"\s+", " ", data)
        if not self.parts or self.parts[-1].endswith("\n"):
            data = data.lstrip()
        self.parts.append(data)


def plain_text(html: str | None) -> str:
    """Return the readable text of message HTML, for the text part of an e-mail."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
