"""Word that opens right in LibreOffice and WPS as well as in Word: the form of the .docx, whatever its content.

Two hooks, both generic (they look at the document, not at which report it is):
- `shape_template(doc)` when a bundled template is built (docx.py `_save`): section titles as Heading 1/2 (so the
  navigation pane and the table of contents find them), and for a report with a cover (a page break before its first
  chapter) the cover as its own section without header or page number, followed by a real TOC field;
  `running_header(section)` puts the office and the report title on top of every page.
- `finish(data, vm)` on every rendered .docx (docx.py `render_docx`, disposisi.py): tables with a fixed layout and
  column widths computed from what the cells hold (LibreOffice otherwise collapses the columns of an "autofit" table
  and breaks words: "Menurun/nya/tingkat"), numbers right-aligned, header rows repeated on every page; the
  language (id-ID, en-US in English); a diagonal DRAF watermark on drafts (Word's own VML shape); the TOC pre-filled
  with the chapters and PAGEREF page numbers (Word refreshes it on open: updateFields); core properties naming the
  office, dated with the view-model's moment so a re-render gives the same bytes.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable, Mapping
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor
from lxml import etree

from services.renderer.documents.base import fixed_moment

LANGUAGES = {"id": "id-ID", "en": "en-US"}
TOC_INSTR = ' TOC \\o "1-3" \\h \\z \\u '
WATERMARK_SHAPE = "PowerPlusWaterMarkObject"  # the id Word gives its own watermark: Word, LibreOffice, WPS know it
CELL_PADDING = 2 * 108  # twips: the default left + right cell margins of "Table Grid"
_NUMBER = re.compile(r"^(Rp\s?)?[-+−]?\d{1,3}([.\d]*)(,\d+)?\s?%?(\s?[–-]\s?[-+−]?\d[\d.]*(,\d+)?\s?%?)?$")
_EMPTY = {"", "–", "-", "—"}


# --- template time ----------------------------------------------------------------------------------------------


def heading_styles(doc: Any) -> None:
    """Heading 1/2 in the document's font, black: python-docx's defaults point at theme fonts (Calibri Light, blue)
    that LibreOffice and WPS substitute differently."""
    for name, size in (("Heading 1", 13), ("Heading 2", 11)):
        style = doc.styles[name]
        rfonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        if rfonts is not None:
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                rfonts.attrib.pop(qn(attr), None)
        style.font.name, style.font.size, style.font.bold = "DejaVu Sans", Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.keep_with_next = True


def running_header(section: Any, text: str = "{{ instansi }} — {{ title }}") -> None:
    """The office and the report on top of every page of the section: small, right-aligned, a rule under it."""
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    for run in list(p.runs):
        run._r.getparent().remove(run._r)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(text)  # one run: docxtpl needs each tag inside a single run
    run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x40, 0x40, 0x40)
    border = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="4" w:space="1" w:color="808080"/></w:pBdr>'
    )
    p._p.get_or_add_pPr().append(border)


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _runs_props(p: Any) -> tuple[bool, float | None]:
    """(every run with text bold, the largest run size in pt) of a paragraph element."""
    runs = [r for r in p.iter(qn("w:r")) if _text(r).strip()]
    bold = bool(runs) and all(r.find(qn("w:rPr") + "/" + qn("w:b")) is not None for r in runs)
    sizes = [int(sz.get(qn("w:val"))) / 2 for r in runs for sz in r.iter(qn("w:sz"))]
    return bold, max(sizes) if sizes else None


def _style_of(p: Any) -> str | None:
    style = p.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    return None if style is None else str(style.get(qn("w:val")))


def _set_style(p: Any, style_id: str) -> None:
    ppr = p.get_or_add_pPr()
    style = ppr.find(qn("w:pStyle"))
    if style is None:
        style = OxmlElement("w:pStyle")
        ppr.insert(0, style)
    style.set(qn("w:val"), style_id)


def _is_section_title(p: Any) -> bool:
    """A plain paragraph that reads as a section title: all bold at 11–12 pt, left-aligned, not a "label: value"
    line nor a Jinja control paragraph."""
    text = _text(p).strip()
    if not text or _style_of(p) is not None or ":" in text.replace("{{", "").replace("}}", "") or "{%" in text:
        return False
    if p.find(qn("w:pPr") + "/" + qn("w:jc")) is not None:
        return False
    bold, size = _runs_props(p)
    return bold and size is not None and 11 <= size <= 12


def promote_headings(doc: Any) -> None:
    """Section titles become Heading 2; a document without a Heading 1 gets its largest bold title as Heading 1."""
    body = doc.element.body
    paragraphs = list(body.iter(qn("w:p")))
    for p in paragraphs:
        if _is_section_title(p):
            _set_style(p, "Heading2")
    if any(_style_of(p) == "Heading1" for p in paragraphs):
        return
    titles = [(size, -i, p) for i, p in enumerate(paragraphs) for bold, size in [_runs_props(p)] if bold and size]
    if titles and max(titles, key=lambda t: (t[0], t[1]))[0] >= 13:
        _set_style(max(titles, key=lambda t: (t[0], t[1]))[2], "Heading1")


def _page_break_paragraph(p: Any) -> bool:
    return any(br.get(qn("w:type")) == "page" for br in p.iter(qn("w:br"))) and not _text(p).strip()


def _field_paragraph(instr: str, placeholder: str) -> Any:
    return parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instr}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{placeholder}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def cover_and_toc(doc: Any, toc_title: str = "{{ labels.daftar_isi|upper }}") -> bool:
    """When a page break comes before the first Heading 1, the pages before it are a cover: its own section (no
    header, no page number: its header and footer are empty parts, so a draft's watermark still has a header to sit
    in), then the table of contents (a TOC field) on its own page. False when the document has no cover."""
    body = doc.element.body
    paragraphs = list(body.iterchildren(qn("w:p")))
    first = next((i for i, p in enumerate(paragraphs) if _style_of(p) == "Heading1"), None)
    before = paragraphs[:first] if first else []
    if any(p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None for p in before):
        return True  # the cover is a section already
    breaks = [i for i, p in enumerate(before) if _page_break_paragraph(p)]
    if not breaks:
        return False
    end = paragraphs[breaks[-1]]
    for run in list(end.iterchildren(qn("w:r"))):
        end.remove(run)
    cover = copy.deepcopy(body.find(qn("w:sectPr")))
    for ref in [*cover.iterchildren(qn("w:headerReference")), *cover.iterchildren(qn("w:footerReference"))]:
        cover.remove(ref)
    end.get_or_add_pPr().append(cover)
    section = doc.sections[0]
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    if _toc_field(doc) is not None:  # the content brings its own table of contents
        return True
    title = parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr>'
        f'<w:r><w:rPr><w:b/><w:sz w:val="26"/></w:rPr><w:t xml:space="preserve">{toc_title}</w:t></w:r></w:p>'
    )
    toc = _field_paragraph(TOC_INSTR, "")
    after = parse_xml(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>')
    end.addnext(title)
    title.addnext(toc)
    toc.addnext(after)
    return True


def toc(doc: Any, toc_title: str = "{{ labels.daftar_isi|upper }}") -> None:
    """The table of contents where the content wants it (the LKIP: after its Kata Pengantar): a title (not a
    heading: the contents do not list themselves) and the TOC field; cover_and_toc then adds none."""
    title = parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr>'
        f'<w:r><w:rPr><w:b/><w:sz w:val="26"/></w:rPr><w:t xml:space="preserve">{toc_title}</w:t></w:r></w:p>'
    )
    field = _field_paragraph(TOC_INSTR, "")
    body = doc.element.body
    body.find(qn("w:sectPr")).addprevious(title)
    title.addnext(field)


def shape_template(doc: Any) -> None:
    """The bundled templates' form (see the module doc); idempotent enough to run once on each built template."""
    heading_styles(doc)
    promote_headings(doc)
    cover_and_toc(doc)


# --- render time: tables ------------------------------------------------------------------------------------------

_WIDE = set("MWmw@%ÆŒæœ")
SAFETY = 1.1  # the estimate is within ±9% of DejaVu Sans' advance widths: err on the wide side
_NARROW = set("iljfrtI.,:;'|!()[]{} ")


def text_width(text: str, size_pt: float, bold: bool = False) -> int:
    """An upper estimate, in twips, of the width of `text` in DejaVu Sans (a wide face: what LibreOffice and WPS use
    when the office has no Word fonts) at `size_pt`."""
    em = 0.0
    for ch in unicodedata.normalize("NFC", text):
        if ch in _WIDE:
            em += 0.97
        elif ch in _NARROW:
            em += 0.35
        elif ch.isupper():
            em += 0.72
        elif ch.isdigit():
            em += 0.64
        else:
            em += 0.6
    return int(em * size_pt * 20 * (1.15 if bold else 1.0) * SAFETY) + 1


def _cell_size(tc: Any, default: float) -> tuple[float, bool]:
    sizes = [int(sz.get(qn("w:val"))) / 2 for sz in tc.iter(qn("w:sz"))]
    runs = [r for r in tc.iter(qn("w:r")) if _text(r).strip()]
    bold = bool(runs) and all(r.find(qn("w:rPr") + "/" + qn("w:b")) is not None for r in runs)
    return (max(sizes) if sizes else default), bold


def _cell_lines(tc: Any) -> list[str]:
    return [_text(p) for p in tc.iterchildren(qn("w:p"))]


def is_number(text: str) -> bool:
    """A figure as the reports print them: "1.234,56", "98,5%", "Rp 4.430.000.000", a range "7,60 – 8,00"."""
    return bool(_NUMBER.match(text.strip()))


def _grid_cells(tr: Any) -> list[tuple[int, int, Any]]:
    """(first grid column, span, tc) of a row."""
    out, col = [], 0
    for tc in tr.iterchildren(qn("w:tc")):
        span_el = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
        span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
        out.append((col, span, tc))
        col += span
    return out


def column_widths(tbl: Any, available: int, default_size: float = 10) -> list[int]:
    """Column widths (twips) summing to `available`: every column at least as wide as its longest word (so no word
    is broken), the rest shared out as the columns' one-line widths want it (the CSS "auto" table algorithm)."""
    rows = list(tbl.iterchildren(qn("w:tr")))
    headers = _header_rows(tbl)  # a header may wrap between its words: it asks for its longest word only
    ncols = max((sum(span for _c, span, _tc in _grid_cells(tr)) for tr in rows), default=0)
    least, want = [CELL_PADDING + 200] * ncols, [CELL_PADDING + 200] * ncols
    for tr in rows:
        for col, span, tc in _grid_cells(tr):
            if span != 1:
                continue
            size, bold = _cell_size(tc, default_size)
            for line in _cell_lines(tc):
                money = line.strip().startswith("Rp") and is_number(line)
                words = [line.strip()] if money else line.split()  # "Rp 1.035.000.000" is never cut after "Rp"
                longest = max((text_width(w, size, bold) for w in words), default=0)
                least[col] = max(least[col], longest + CELL_PADDING)
                one_line = longest if tr in headers else text_width(line, size, bold)
                want[col] = max(want[col], one_line + CELL_PADDING)
    if sum(least) >= available:  # cannot fit every word: shrink in proportion (the best there is)
        return _scaled(least, available)
    if sum(want) <= available:
        return _scaled(want, available)
    extra = available - sum(least)
    wishes = [w - m for w, m in zip(want, least, strict=True)]
    total = sum(wishes) or 1
    return _fix_sum([m + extra * w // total for m, w in zip(least, wishes, strict=True)], available)


def _scaled(widths: list[int], available: int) -> list[int]:
    total = sum(widths) or 1
    return _fix_sum([w * available // total for w in widths], available)


def _fix_sum(widths: list[int], available: int) -> list[int]:
    if widths:
        widths[widths.index(max(widths))] += available - sum(widths)
    return widths


def _set_child(parent: Any, tag: str, attrs: Mapping[str, str], *, first: bool = False) -> Any:
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        if first:
            parent.insert(0, el)
        else:
            parent.append(el)
    for key, value in attrs.items():
        el.set(qn(key), value)
    return el


_TBLPR_ORDER = (
    "w:tblStyle w:tblpPr w:tblOverlap w:bidiVisual w:tblStyleRowBandSize w:tblStyleColBandSize w:tblW "
    "w:jc w:tblCellSpacing w:tblInd w:tblBorders w:shd w:tblLayout w:tblCellMar w:tblLook "
).split()


def _ordered(parent: Any, order: list[str]) -> None:
    """Children in the schema's order (Word refuses a document whose tblPr/trPr children are out of order)."""
    rank = {qn(tag): i for i, tag in enumerate(order)}
    children = sorted(parent, key=lambda el: rank.get(el.tag, len(order)))
    for el in children:
        parent.append(el)


def _header_rows(tbl: Any) -> list[Any]:
    """The table's header rows: those marked w:tblHeader, else a first row all bold (with more rows below)."""
    rows = list(tbl.iterchildren(qn("w:tr")))
    marked = [tr for tr in rows if tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None]
    if marked or len(rows) < 2:
        return marked
    cells = [tc for tc in rows[0].iterchildren(qn("w:tc")) if _text(tc).strip()]
    return [rows[0]] if cells and all(_cell_size(tc, 10)[1] for tc in cells) else []


def fix_table(tbl: Any, available: int, default_size: float = 10) -> None:
    """Fixed layout, the grid and every cell at the computed widths, header rows repeated, rows kept whole, figures
    right-aligned."""
    widths = column_widths(tbl, available, default_size)
    tblpr = tbl.find(qn("w:tblPr"))
    _set_child(tblpr, "w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"})
    _set_child(tblpr, "w:tblLayout", {"w:type": "fixed"})
    _ordered(tblpr, _TBLPR_ORDER)
    grid = tbl.find(qn("w:tblGrid"))
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        grid.append(parse_xml(f'<w:gridCol {nsdecls("w")} w:w="{w}"/>'))
    headers = _header_rows(tbl)
    numeric = _numeric_columns(tbl, headers)
    for tr in tbl.iterchildren(qn("w:tr")):
        trpr = tr.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            tr.insert(0 if tr.find(qn("w:tblPrEx")) is None else 1, trpr)
        _set_child(trpr, "w:cantSplit", {}, first=True)
        if tr in headers:
            _set_child(trpr, "w:tblHeader", {})
        _ordered(trpr, _TRPR_ORDER)
        for col, span, tc in _grid_cells(tr):
            tcpr = tc.get_or_add_tcPr()
            width = sum(widths[col : col + span])
            _set_child(tcpr, "w:tcW", {"w:w": str(width), "w:type": "dxa"}, first=True)
            if tr in headers:
                continue
            if (span == 1 and col in numeric) or _kind(tc) == "number":
                for p in tc.iterchildren(qn("w:p")):
                    _set_child(p.get_or_add_pPr(), "w:jc", {"w:val": "right"})
                    _ordered(p.get_or_add_pPr(), _PPR_ORDER)


def _kind(tc: Any) -> str:
    """ "number" (figures, or a figure and dashes), "empty" (blank or a dash) or "text"."""
    lines = [line.strip() for line in _cell_lines(tc) if line.strip()]
    if all(line in _EMPTY for line in lines):
        return "empty"
    return "number" if all(is_number(x) or x in _EMPTY for x in lines) and is_number(lines[0]) else "text"


def _numeric_columns(tbl: Any, headers: list[Any]) -> set[int]:
    """The columns whose body cells are all figures (or "–" for none): right-aligned as a whole, dashes too."""
    kinds: dict[int, set[str]] = {}
    for tr in tbl.iterchildren(qn("w:tr")):
        if tr in headers:
            continue
        for col, span, tc in _grid_cells(tr):
            if span == 1:
                kinds.setdefault(col, set()).add(_kind(tc))
    return {col for col, seen in kinds.items() if "number" in seen and "text" not in seen}


_TRPR_ORDER = (
    "w:cnfStyle w:divId w:gridBefore w:gridAfter w:wBefore w:wAfter w:cantSplit w:trHeight w:tblHeader "
    "w:tblCellSpacing w:jc w:hidden "
).split()
_PPR_ORDER = (
    "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
    "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap w:overflowPunct "
    "w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd w:snapToGrid w:spacing w:ind "
    "w:contextualSpacing w:mirrorIndents w:suppressOverlap w:jc w:textDirection w:textAlignment "
    "w:textboxTightWrap w:outlineLvl w:divId w:cnfStyle w:rPr w:sectPr w:pPrChange "
).split()


def fix_tables(doc: Any) -> None:
    """Every table of the body at the width of the text column; a table inside a cell at that cell's width (the
    outer table is done first: document order)."""
    section = doc.sections[-1]
    available = int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU → twips
    size = doc.styles["Normal"].font.size
    default = size.pt if size is not None else 10.0
    for tbl in doc.element.body.iter(qn("w:tbl")):
        cell = next(tbl.iterancestors(qn("w:tc")), None)
        width = cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}") if cell is not None else None
        inner = int(width.get(qn("w:w"))) - CELL_PADDING if width is not None else available
        fix_table(tbl, max(inner, CELL_PADDING * 2), default)


# --- render time: language, watermark, TOC, properties ------------------------------------------------------------


def set_language(doc: Any, tag: str) -> None:
    """The document's language (spelling, hyphenation, date fields) in the defaults and in every style that names
    one."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is None:
        defaults = _set_child(styles, "w:docDefaults", {}, first=True)
        rpr_default = _set_child(defaults, "w:rPrDefault", {}, first=True)
    rpr = _set_child(rpr_default, "w:rPr", {})
    _set_child(rpr, "w:lang", {"w:val": tag})
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)


_VML_NS = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
_FORMULAS = "".join(
    f'<v:f eqn="{eqn}"/>'
    for eqn in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3", "if @0 @3 0",
        "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6", "mid @8 @5", "mid @7 @8", "mid @6 @7",
        "sum @6 0 @5",
    )
)  # fmt: skip


def watermark_paragraph(text: str, n: int) -> Any:
    """Word's own text watermark (Design → Watermark): a WordArt (VML textpath) shape, diagonal, light grey, behind
    the text, centred on the page; anchored in a header so it shows on every page of the section."""
    safe = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return parse_xml(
        f'<w:p {nsdecls("w")} {_VML_NS}><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:rPr><w:noProof/></w:rPr>'
        '<w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
        'path="m@7,l@8,m@5,21600l@6,21600e">'
        f"<v:formulas>{_FORMULAS}</v:formulas>"
        '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" '
        'o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>'
        '<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>'
        '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
        f'<v:shape id="{WATERMARK_SHAPE}{n}" o:spid="_x0000_s{2049 + n}" type="#_x0000_t136" '
        'style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:140pt;rotation:315;'
        "z-index:-251655168;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
        'fillcolor="#c0c0c0" stroked="f"><v:fill opacity=".5"/>'
        f'<v:textpath style="font-family:&quot;DejaVu Sans&quot;;font-size:1pt" string="{safe}"/>'
        '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r></w:p>'
    )


def _headers(doc: Any) -> Iterable[Any]:
    """Every header part of the document, once (sections linked to the previous share it)."""
    seen: set[int] = set()
    for section in doc.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            if header.is_linked_to_previous:
                continue
            part = header.part
            if id(part) not in seen:
                seen.add(id(part))
                yield header


def add_watermark(doc: Any, text: str) -> None:
    """The diagonal watermark in every header of the document (a section without one gets an empty one)."""
    first = doc.sections[0].header
    if first.is_linked_to_previous:  # the first section of an office's template may have no header at all
        first.is_linked_to_previous = False
    for n, header in enumerate(_headers(doc), start=1):
        header._element.append(watermark_paragraph(text, n))


def _toc_field(doc: Any) -> Any | None:
    """The paragraph where a TOC field begins, if any."""
    for instr in doc.element.body.iter(qn("w:instrText")):
        if (instr.text or "").strip().startswith("TOC"):
            return instr.getparent().getparent()
    return None


def fill_toc(doc: Any) -> bool:
    """The TOC field's result: one line per Heading 1/2 of the body (a Kata Pengantar before it too, as Word's own
    update lists it), a link to a bookmark on the heading. No page
    numbers: only a layout knows them. Word rebuilds the table with its numbers on open (updateFields); LibreOffice
    and WPS show these lines (not an empty box) until Tools → Update. False when the document has no TOC field."""
    toc = _toc_field(doc)
    if toc is None:
        return False
    paragraphs = list(doc.element.body.iterchildren(qn("w:p")))
    headings = [
        (p, 1 if _style_of(p) == "Heading1" else 2)
        for p in paragraphs
        if p is not toc and _style_of(p) in ("Heading1", "Heading2") and _text(p).strip()
    ]
    entries = []
    for n, (p, level) in enumerate(headings, start=1):
        name = f"_Toc{n:08d}"
        ppr = p.find(qn("w:pPr"))
        start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{n}" w:name="{name}"/>')
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{n}"/>'))
        label = _text(p).strip().replace("&", "&amp;").replace("<", "&lt;")
        entries.append(
            parse_xml(
                f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:after="60"/>'
                f'<w:ind w:left="{(level - 1) * 360}"/></w:pPr><w:hyperlink w:anchor="{name}" w:history="1">'
                f'<w:r><w:t xml:space="preserve">{label}</w:t></w:r></w:hyperlink></w:p>'
            )
        )
    if not entries:
        return True
    field = list(toc.iterchildren(qn("w:r")))  # begin, instruction, separate, (placeholder), end
    ppr = entries[0].find(qn("w:pPr"))
    for run in reversed(field[:3]):
        ppr.addnext(run)
    entries[-1].append(field[-1])  # the field spans the entries: it ends after the last one
    for entry in entries:
        toc.addprevious(entry)
    toc.getparent().remove(toc)
    return True


_SETTINGS_ORDER = (
    "w:writeProtection w:view w:zoom w:removePersonalInformation w:removeDateAndTime "
    "w:doNotDisplayPageBoundaries w:displayBackgroundShape w:printPostScriptOverText "
    "w:printFractionalCharacterWidth w:printFormsData w:embedTrueTypeFonts w:embedSystemFonts "
    "w:saveSubsetFonts w:saveFormsData w:mirrorMargins w:alignBordersAndEdges "
    "w:bordersDoNotSurroundHeader w:bordersDoNotSurroundFooter w:gutterAtTop w:hideSpellingErrors "
    "w:hideGrammaticalErrors w:activeWritingStyle w:proofState w:formsDesign w:attachedTemplate "
    "w:linkStyles w:stylePaneFormatFilter w:stylePaneSortMethod w:documentType w:mailMerge w:revisionView "
    "w:trackRevisions w:doNotTrackMoves w:doNotTrackFormatting w:documentProtection w:autoFormatOverride "
    "w:styleLockTheme w:styleLockQFSet w:defaultTabStop w:autoHyphenation w:consecutiveHyphenLimit "
    "w:hyphenationZone w:doNotHyphenateCaps w:showEnvelope w:summaryLength w:clickAndTypeStyle "
    "w:defaultTableStyle w:evenAndOddHeaders w:bookFoldRevPrinting w:bookFoldPrinting "
    "w:bookFoldPrintingSheets w:drawingGridHorizontalSpacing w:drawingGridVerticalSpacing "
    "w:displayHorizontalDrawingGridEvery w:displayVerticalDrawingGridEvery "
    "w:doNotUseMarginsForDrawingGridOrigin w:drawingGridHorizontalOrigin w:drawingGridVerticalOrigin "
    "w:doNotShadeFormData w:noPunctuationKerning w:characterSpacingControl w:printTwoOnOne "
    "w:strictFirstAndLastChars w:noLineBreaksAfter w:noLineBreaksBefore w:savePreviewPicture "
    "w:doNotValidateAgainstSchema w:saveInvalidXml w:ignoreMixedContent w:alwaysShowPlaceholderText "
    "w:doNotDemarcateInvalidXml w:saveXmlDataOnly w:useXSLTWhenSaving w:saveThroughXslt w:showXMLTags "
    "w:alwaysMergeEmptyNamespace w:updateFields "
).split()


def update_fields_on_open(doc: Any) -> None:
    """settings.xml w:updateFields: Word (and LibreOffice) refresh the TOC and page fields when the file opens."""
    settings = doc.settings.element
    _set_child(settings, "w:updateFields", {"w:val": "true"})
    _ordered(settings, _SETTINGS_ORDER)


def set_properties(doc: Any, vm: Mapping[str, Any], language: str) -> None:
    """Core properties naming the office and the report, dated with the view-model's moment (UTC: the same inputs
    give the same bytes); the application properties (app.xml) name Lapkin and the office, not "Microsoft Macintosh
    Word" of python-docx's template."""
    props = doc.core_properties
    instansi = str(vm.get("instansi") or "") or "Lapkin"
    title = str(vm.get("title") or "")
    props.author = instansi
    props.title = title
    props.subject = f"{title} — {instansi}" if title else instansi
    props.category = str(vm.get("kind") or "")
    props.keywords = "SAKIP; " + str(vm.get("kind") or "")
    props.comments = ""
    props.language = language
    props.last_modified_by = "Lapkin"
    props.created = props.modified = fixed_moment(vm)  # python-docx writes a naive moment as UTC ("…Z")
    props.revision = int(vm.get("version") or 1)
    props.content_status = str(vm.get("watermark") or "") if vm.get("draft") else "Final"
    printed = props._element.find(qn("cp:lastPrinted"))  # the template's 2013 date: this file was never printed
    if printed is not None:
        props._element.remove(printed)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):  # python-docx's template thumbnail: not a picture of this report
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rid)
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            app = etree.fromstring(part.blob)
            for tag, value in (("Application", "Lapkin"), ("Company", instansi), ("Template", "")):
                el = app.find(f"{{{_APP_NS}}}{tag}")
                if el is not None:
                    el.text = value
            part._blob = etree.tostring(app, xml_declaration=True, encoding="UTF-8", standalone=True)


_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def finish(data: bytes, vm: Mapping[str, Any]) -> bytes:
    """The rendered .docx in its form (see the module doc)."""
    doc = Document(BytesIO(data))
    language = LANGUAGES.get(str(vm.get("locale") or "id"), "id-ID")
    fix_tables(doc)
    set_language(doc, language)
    if fill_toc(doc):
        update_fields_on_open(doc)
    if vm.get("draft") and vm.get("watermark"):
        add_watermark(doc, str(vm["watermark"]))
    set_properties(doc, vm, language)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
