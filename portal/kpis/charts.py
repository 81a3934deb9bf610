"""Charts drawn on the server as accessible SVG: a title and a description, presentation attributes only.

Each chart is markup built from escaped text and numbers; the page shows the same numbers in a table
beside it, for screen readers and for copying.
"""
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
INK, GRID, BAR, BAR_2, LINE, LIMIT = "#1f2328", "#d0d7de", "#0b5cad", "#8a4600", "#0b5cad", "#b3261e"


@dataclass(frozen=True)
class Chart:
    ident: str
    title: str
    description: str
    svg: Markup
    head: tuple = ()
    rows: tuple = ()


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 1
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _frame(ident: str, title: str, description: str, body: list[str], top: float, unit: str) -> Markup:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for n in range(5):
        value = top * n / 4
        y = TOP + plot_h - plot_h * n / 4
        label = f"{value:g}{unit}"
        grid.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">'
                    f'{escape(label)}</text>')
    head = (f'<svg class="chart" id="{ident}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMidYMid meet" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>')
    return Markup(head + "".join(grid) + "".join(body) + "</svg>")  # noqa: S704 - every text above is escaped


def _x_labels(labels: list[str], x_of, every: int) -> list[str]:
    return [f'<text x="{x_of(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">{escape(label)}</text>' for i, label in enumerate(labels) if i % every == 0]


def bars(ident: str, title: str, description: str, labels: list[str], series: list[list[float]],
         unit: str = "", top: float | None = None) -> Chart:
    """Vertical bars, one group per label, one bar per series (at most two)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = top or _nice_max(max((v for s in series for v in s), default=0))
    slot = plot_w / max(len(labels), 1)
    width = max(slot * 0.8 / len(series), 1)
    body = []
    colours = (BAR, BAR_2)
    for k, values in enumerate(series):
        for i, value in enumerate(values):
            h = plot_h * min(value, top) / top
            x = LEFT + slot * i + slot * 0.1 + width * k
            body.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                        f'fill="{colours[k % 2]}"/>')
    every = max(len(labels) // 8, 1)
    body += _x_labels(labels, lambda i: LEFT + slot * i + slot / 2, every)
    return Chart(ident, title, description, _frame(ident, title, description, body, top, unit))


def line(ident: str, title: str, description: str, labels: list[str], values: list[float | None],
         limit: float | None, unit: str = "") -> Chart:
    """A line through the values (gaps where a day has none) and a dashed horizontal line at the limit."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_max(max([v for v in values if v is not None] + [limit or 0], default=0) * 1.1)
    step = plot_w / max(len(labels) - 1, 1)

    def x_of(i):
        return LEFT + step * i

    def y_of(v):
        return TOP + plot_h - plot_h * min(v, top) / top

    body, run = [], []
    for i, value in enumerate([*values, None]):
        if value is None:
            if len(run) > 1:
                body.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{" ".join(run)}"/>')
            elif len(run) == 1:
                x, y = run[0].split(",")
                body.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{LINE}"/>')
            run = []
        else:
            run.append(f"{x_of(i):.1f},{y_of(value):.1f}")
    if limit is not None:
        y = y_of(limit)
        body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LIMIT}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
    body += _x_labels(labels, x_of, max(len(labels) // 8, 1))
    return Chart(ident, title, description, _frame(ident, title, description, body, top, unit))
