"""ThumbHash encoding: a ~25-byte placeholder a browser turns into a blurred preview.

Our own encoder written from the public ThumbHash description (evanw/thumbhash): the image
(at most 100x100) is turned into an alpha-premultiplied LPQ(A) colour space, each channel is
summarised by a few low-frequency DCT coefficients, and everything is quantised to ~25 bytes.
Pure Python on raw RGBA bytes; ``auroravault.imaging`` makes the small image.
"""

from __future__ import annotations

import math
import operator
from typing import Final

# A coefficient that is zero but for float rounding (a flat colour, a channel constant along one
# axis) is snapped to 0: otherwise the noise would be normalised into random AC nibbles that
# depend on summation order. Elsewhere the output is byte-identical to the reference encoder.
_DCT_NOISE: Final = 1e-10


def _js_round(x: float) -> int:
    """Math.round from JavaScript (halves go up), which the reference encoder uses."""
    return math.floor(x + 0.5)


def _dct_channel(rows: list[list[float]], nx: int, ny: int) -> tuple[float, list[float], float]:
    """Low-frequency DCT of one channel: (DC, AC normalised to 0..1, AC scale).

    Coefficients are kept in the triangle ``cx * ny < nx * (ny - cy)``, row by row.
    The 2-D cosine sum is separable: project each row on the x cosines once, then combine.
    """
    h, w = len(rows), len(rows[0])
    cos_x = [[math.cos(math.pi / w * cx * (x + 0.5)) for x in range(w)] for cx in range(nx)]
    cos_y = [[math.cos(math.pi / h * cy * (y + 0.5)) for y in range(h)] for cy in range(ny)]
    projected = [[sum(map(operator.mul, row, cx_row)) for row in rows] for cx_row in cos_x]
    dc, ac, scale = 0.0, [], 0.0
    for cy in range(ny):
        cx = 0
        while cx * ny < nx * (ny - cy):
            f = sum(map(operator.mul, projected[cx], cos_y[cy])) / (w * h)
            if abs(f) < _DCT_NOISE:
                f = 0.0
            if cx or cy:
                ac.append(f)
                scale = max(scale, abs(f))
            else:
                dc = f
            cx += 1
    if scale:
        ac = [0.5 + 0.5 / scale * f for f in ac]
    return dc, ac, scale


def thumbhash_encode(w: int, h: int, rgba: bytes) -> bytes:
    """Encode ``w`` x ``h`` RGBA pixels (w, h <= 100) as ThumbHash bytes."""
    if not (0 < w <= 100 and 0 < h <= 100) or len(rgba) != w * h * 4:
        raise ValueError("thumbhash needs 1..100 x 1..100 RGBA pixels")
    n = w * h
    alpha = [v / 255 for v in rgba[3::4]]
    red, green, blue = ([v / 255 for v in rgba[i::4]] for i in range(3))
    # Average colour, weighted by alpha; transparent pixels are later filled with it.
    total_a = sum(alpha)
    avg = [sum(map(operator.mul, alpha, ch)) / total_a if total_a else 0.0 for ch in (red, green, blue)]
    has_alpha = total_a < n
    if has_alpha:
        red, green, blue = (
            [a_ * c + (1 - a_) * m for a_, c in zip(alpha, ch, strict=True)]
            for ch, m in zip((red, green, blue), avg, strict=True)
        )
    lum = [(r + g + b) / 3 for r, g, b in zip(red, green, blue, strict=True)]
    p_ch = [(r + g) / 2 - b for r, g, b in zip(red, green, blue, strict=True)]
    q_ch = [r - g for r, g in zip(red, green, strict=True)]

    def rows(channel: list[float]) -> list[list[float]]:
        return [channel[y * w : (y + 1) * w] for y in range(h)]

    l_limit = 5 if has_alpha else 7
    lx = max(1, _js_round(l_limit * w / max(w, h)))
    ly = max(1, _js_round(l_limit * h / max(w, h)))
    l_dc, l_ac, l_scale = _dct_channel(rows(lum), max(3, lx), max(3, ly))
    p_dc, p_ac, p_scale = _dct_channel(rows(p_ch), 3, 3)
    q_dc, q_ac, q_scale = _dct_channel(rows(q_ch), 3, 3)
    landscape = w > h
    header24 = (
        _js_round(63 * l_dc)
        | _js_round(31.5 + 31.5 * p_dc) << 6
        | _js_round(31.5 + 31.5 * q_dc) << 12
        | _js_round(31 * l_scale) << 18
        | int(has_alpha) << 23
    )
    header16 = (
        (ly if landscape else lx) | _js_round(63 * p_scale) << 3 | _js_round(63 * q_scale) << 9 | int(landscape) << 15
    )
    out = bytearray([header24 & 255, (header24 >> 8) & 255, header24 >> 16, header16 & 255, header16 >> 8])
    acs = [l_ac, p_ac, q_ac]
    if has_alpha:
        a_dc, a_ac, a_scale = _dct_channel(rows(alpha), 5, 5)
        out.append(_js_round(15 * a_dc) | _js_round(15 * a_scale) << 4)
        acs.append(a_ac)
    nibbles = [_js_round(15 * f) for ac in acs for f in ac]
    for i in range(0, len(nibbles), 2):
        out.append(nibbles[i] | (nibbles[i + 1] << 4 if i + 1 < len(nibbles) else 0))
    return bytes(out)
