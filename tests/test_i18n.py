"""Every user-facing string has a pt_BR translation, and the catalogs compile."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("portal/**.py", "python"), ("portal/templates/**.html", "jinja2"), ("portal/templates/**.txt", "jinja2")]


def source_msgids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={"portal/templates/**": {}},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(locale: str):
    with open(ROOT / "portal" / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def test_every_source_string_has_a_ptbr_translation():
    po = catalog("pt_BR")
    missing = sorted(
        msgid for msgid in source_msgids()
        if msgid not in po or po[msgid].fuzzy or not all(
            po[msgid].string if isinstance(po[msgid].string, tuple) else (po[msgid].string,)
        )
    )
    assert missing == []


def test_placeholders_survive_translation():
    import re

    po = catalog("pt_BR")
    for message in po:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", text)) == wanted, message.id
