"""Colour checks for the portal theme: hex validation and WCAG 2 contrast (pure)."""
import re

HEX_RE = re.compile(r"\A#[0-9a-f]{6}\Z")
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
BLACK = "#000000"


def normalise_hex(value: str) -> str | None:
    """Return the colour as lower-case #rrggbb (a #rgb shorthand is expanded), or None if it is not one."""
    text = str(value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return text if HEX_RE.match(text) else None


def relative_luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a #rrggbb colour."""
    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """Return the WCAG contrast ratio between two colours, from 1 to 21."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def passes_aa(background: str, text: str = WHITE) -> bool:
    """Tell whether normal-size text of one colour on the other reaches WCAG AA (4.5:1)."""
    return contrast_ratio(background, text) >= AA_NORMAL_TEXT


def readable_on(background: str) -> str:
    """Pick black or white text, whichever contrasts more with the colour (what buyers see on it)."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, BLACK) else BLACK


def text_on_white(colour: str) -> str:
    """Darken the colour until it reaches AA contrast (4.5:1) as text on white (the buyer's link colour)."""
    while contrast_ratio(colour, WHITE) < AA_NORMAL_TEXT:
        colour = "#" + "".join(f"{int(int(colour[i:i + 2], 16) * 0.85):02x}" for i in (1, 3, 5))
    return colour
