"""The tech radar drawn as one SVG document (page, downloads and the wave report all use it), and
as PNG through CairoSVG.

Built by hand rather than through plotly's static export, which needs a Chrome install (kaleido);
an SVG of circles and text needs nothing. Rings run from Adopt (centre) to Hold (edge); each
quadrant is an equal slice; blips are numbered and listed under the circle by quadrant.
"""
from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from schemas.radar import RINGS

SIZE = 760  # the circle's box, px
SIDE = 120  # room left and right of it for the quadrant names
WIDTH = SIZE + 2 * SIDE
RING_EDGES = (0.0, 0.38, 0.62, 0.82, 1.0)  # fractions of the radius: Adopt, Trial, Assess, Hold
QUADRANT_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
BLIP_SPACING = 17  # px between blip centres along an arc
LEGEND_LINE = 15
FONT = "IPAGothic, 'Noto Sans CJK JP', 'DejaVu Sans', sans-serif"

# Legend text by language (to move into the message catalogue).
TEXT = {
    "en": {"unchanged": "no change", "in": "moved in", "out": "moved out", "new": "new"},
    "ja": {"unchanged": "変化なし", "in": "内側へ移動", "out": "外側へ移動", "new": "新規"},
}


def radar_svg(radar: pd.DataFrame, ring_names: dict[str, str], title: str, lang: str = "en",
              link: str | None = None) -> str:
    """SVG text for the placed rows of a RadarFrame. ``link``: a format string for each blip's
    link, with {area_id} and {skill_id} (omitted in files, where a relative link leads nowhere)."""
    placed = radar[radar["ring"].notna()].reset_index(drop=True)
    quadrants = list(dict.fromkeys(radar["quadrant"])) or [""]  # every skill's, so hiding one keeps the layout
    centre, radius = SIZE / 2, SIZE / 2 - 30
    body = [f'<g transform="translate({SIDE},0)">', _rings_and_axes(quadrants, centre, radius, ring_names)]
    numbers = _numbering(placed, quadrants)
    for (quadrant, ring_name), cell in placed.groupby(["quadrant", "ring"], sort=False):
        q = quadrants.index(quadrant)
        spots = _spots(len(cell), q, len(quadrants), RINGS.index(ring_name), centre, radius)
        for (x, y), (_, row) in zip(spots, cell.iterrows(), strict=True):
            body.append(_blip(row, numbers[row["skill_id"]], x, y, QUADRANT_COLOURS[q % len(QUADRANT_COLOURS)], link))
    body.append("</g>")
    legend, legend_height = _legend(placed, quadrants, numbers, lang)
    height = SIZE + 50 + legend_height
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" font-family={quoteattr(FONT)} font-size="11">'
            f'<title>{escape(title)}</title><rect width="100%" height="100%" fill="white"/>'
            f'<text x="10" y="20" font-size="16" font-weight="bold">{escape(title)}</text>'
            + "".join(body) + legend + "</svg>")


def radar_png(svg: str) -> bytes:
    """The SVG rasterised (CairoSVG, on the system's cairo)."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=SIZE * 2)


def _rings_and_axes(quadrants: list[str], centre: float, radius: float, ring_names: dict[str, str]) -> str:
    parts = []
    for i in range(len(RINGS), 0, -1):
        shade = 245 - 12 * (len(RINGS) - i)
        parts.append(f'<circle cx="{centre}" cy="{centre}" r="{RING_EDGES[i] * radius:.1f}" '
                     f'fill="rgb({shade},{shade},{shade})" stroke="white" stroke-width="2"/>')
    for q in range(len(quadrants)):
        a = _angle(q, len(quadrants), 0)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{centre + radius * math.cos(a):.1f}" '
                     f'y2="{centre + radius * math.sin(a):.1f}" stroke="white" stroke-width="3"/>')
        # The quadrant's name outside the rim, off the middle of its slice, growing away from the circle.
        mid = _angle(q, len(quadrants), 0.5)
        x, y = centre + (radius + 22) * math.cos(mid), centre + (radius + 22) * math.sin(mid) + 4
        anchor = "start" if math.cos(mid) > 0.8 else "end" if math.cos(mid) < -0.8 else "middle"
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="13" font-weight="bold" '
                     f'fill="{QUADRANT_COLOURS[q % len(QUADRANT_COLOURS)]}">{escape(_short(quadrants[q], 22))}</text>')
    for i, name in enumerate(RINGS):
        y = centre - (RING_EDGES[i] + RING_EDGES[i + 1]) / 2 * radius
        parts.append(f'<text x="{centre}" y="{y:.1f}" text-anchor="middle" fill="#666" font-size="12">'
                     f'{escape(ring_names[name])}</text>')
    return "".join(parts)


def _angle(q: int, n: int, fraction: float) -> float:
    """Angle (radians, SVG's clockwise from the x axis) at ``fraction`` across quadrant q of n;
    the first quadrant starts at the top."""
    return -math.pi / 2 + 2 * math.pi * (q + fraction) / n


def _spots(n: int, q: int, n_quadrants: int, ring_index: int, centre: float, radius: float) -> list[tuple[float, float]]:
    """n blip centres spread over rows (arcs) of one quadrant x ring cell, clear of the edges."""
    inner, outer = RING_EDGES[ring_index] * radius + 10, RING_EDGES[ring_index + 1] * radius - 10
    if ring_index == 0:
        inner = 20.0
    span = 2 * math.pi / n_quadrants
    arc = span * (inner + outer) / 2
    per_row = max(1, int(arc // BLIP_SPACING) - 1)
    rows = max(1, math.ceil(n / per_row))
    spots = []
    for j in range(n):
        row, col = j % rows, j // rows
        in_row = math.ceil((n - row) / rows)  # blips that land in this row
        r = inner + (row + 0.5) * (outer - inner) / rows
        a = _angle(q, n_quadrants, (col + 0.5) / in_row * 0.9 + 0.05)
        spots.append((centre + r * math.cos(a), centre + r * math.sin(a)))
    return spots


def _numbering(placed: pd.DataFrame, quadrants: list[str]) -> dict[str, int]:
    """Blip numbers: by quadrant, then ring, then the frame's (taxonomy) order."""
    order = placed.assign(_q=placed["quadrant"].map(quadrants.index), _r=placed["ring"].map(RINGS.index))
    order = order.sort_values(["_q", "_r"], kind="stable")
    return {skill: i + 1 for i, skill in enumerate(order["skill_id"])}


def _blip(row: pd.Series, number: int, x: float, y: float, colour: str, link: str | None) -> str:
    movement = row["movement"]
    if movement == "in":
        shape = f'<path d="M{x:.1f},{y - 9:.1f} L{x + 8:.1f},{y + 6:.1f} L{x - 8:.1f},{y + 6:.1f} Z" fill="{colour}"/>'
    elif movement == "out":
        shape = f'<path d="M{x:.1f},{y + 9:.1f} L{x + 8:.1f},{y - 6:.1f} L{x - 8:.1f},{y - 6:.1f} Z" fill="{colour}"/>'
    elif movement == "new":
        shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{colour}" stroke="black" stroke-width="1.5"/>')
    else:
        shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}"/>'
    label = (f'<text x="{x:.1f}" y="{y + 3:.1f}" text-anchor="middle" font-size="8" fill="white">{number}</text>')
    name = escape(f"{number}. {row['skill_name']}")
    blip = f"<g><title>{name}</title>{shape}{label}</g>"
    if link is None:
        return blip
    href = link.format(area_id=row["area_id"], skill_id=row["skill_id"])
    return f'<a href={quoteattr(href)} target="_self">{blip}</a>'


def _legend(placed: pd.DataFrame, quadrants: list[str], numbers: dict[str, int], lang: str) -> tuple[str, float]:
    """Numbered names in one column per quadrant, and the shapes' key; (svg, height)."""
    text = TEXT[lang]
    top = SIZE + 10
    key = (f'<g font-size="11"><circle cx="20" cy="{top}" r="6" fill="#888"/><text x="30" y="{top + 4}">'
           f'{escape(text["unchanged"])}</text>'
           f'<path d="M130,{top - 7} L137,{top + 5} L123,{top + 5} Z" fill="#888"/><text x="142" y="{top + 4}">'
           f'{escape(text["in"])}</text>'
           f'<path d="M240,{top + 7} L247,{top - 5} L233,{top - 5} Z" fill="#888"/><text x="252" y="{top + 4}">'
           f'{escape(text["out"])}</text>'
           f'<circle cx="350" cy="{top}" r="7" fill="#888" stroke="black" stroke-width="1.5"/>'
           f'<text x="360" y="{top + 4}">{escape(text["new"])}</text></g>')
    width = WIDTH / max(len(quadrants), 1)
    columns, longest = [], 0
    for q, quadrant in enumerate(quadrants):
        rows = placed[placed["quadrant"] == quadrant].sort_values("skill_id", key=lambda s: s.map(numbers))
        lines = [f'<text x="{q * width + 10:.1f}" y="{top + 30}" font-weight="bold" '
                 f'fill="{QUADRANT_COLOURS[q % len(QUADRANT_COLOURS)]}">{escape(quadrant)}</text>']
        for i, (_, row) in enumerate(rows.iterrows()):
            short = _short(str(row["skill_name"]), int(width // 7) - 5)
            lines.append(f'<text x="{q * width + 10:.1f}" y="{top + 30 + (i + 1) * LEGEND_LINE}">'
                         f'{numbers[row["skill_id"]]}. {escape(short)}</text>')
        longest = max(longest, len(rows))
        columns.append("".join(lines))
    return key + "".join(columns), 40 + (longest + 1) * LEGEND_LINE


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
