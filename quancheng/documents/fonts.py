"""The CJK font documents are set in: Noto Serif/Sans CJK SC from Debian's ``fonts-noto-cjk``.

ReportLab embeds TrueType outlines only, and Noto CJK ships PostScript (CFF) outlines, so
for each document the face is subset to the characters it uses and its outlines are
converted to TrueType quadratics with fontTools. A subset of a few hundred glyphs takes a
fraction of a second and a few kilobytes in the PDF.
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

from django.utils.translation import gettext as _
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FONT_ENV = "QUANCHENG_CJK_FONT"
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts"))
# Preferred faces, best first: a serif (宋体-like) face for official documents.
FACES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
FILE_PATTERNS = (
    "NotoSerifCJK-{w}.ttc",
    "NotoSansCJK-{w}.ttc",
    "NotoSerifCJK*-{w}.otf",
    "NotoSansCJK*-{w}.otf",
)


class FontMissing(Exception):
    """No usable CJK font is installed."""


def find_font(weight: str = "Regular") -> Path:
    """The font file: ``QUANCHENG_CJK_FONT`` if set, else Noto CJK where Debian puts it."""
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontMissing(
                _("%(env)s names %(path)s, which is not a file.") % {"env": FONT_ENV, "path": path}
            )
        return path
    for directory in FONT_DIRS:
        for pattern in FILE_PATTERNS:
            found = sorted(directory.rglob(pattern.format(w=weight)))
            if found:
                return found[0]
    if weight != "Regular":
        return find_font("Regular")
    raise FontMissing(
        _(
            "No CJK font found: install Debian's fonts-noto-cjk (scripts/bootstrap does) "
            "or set %(env)s to a Noto CJK .ttc/.otf file."
        )
        % {"env": FONT_ENV}
    )


def _open_face(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        fonts = TTCollection(str(path), lazy=True).fonts
        names = [f["name"].getDebugName(4) for f in fonts]
        for face in FACES:
            if face in names:
                return fonts[names.index(face)]
        return fonts[0]
    return TTFont(str(path), lazy=True)


@functools.lru_cache(maxsize=64)
def truetype_subset(text: str, name: str, weight: str = "Regular") -> bytes:
    """A TrueType font holding the glyphs of ``text``, for ReportLab to embed, named
    ``name`` inside (ReportLab keeps faces by their internal name for the process's life)."""
    font = _open_face(find_font(weight))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + " 0123456789")
    subsetter.subset(font)
    if "CFF " in font:
        _cff_to_glyf(font)
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6):
            record.string = name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cff_to_glyf(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = None
    font.sfntVersion = "\x00\x01\x00\x00"
