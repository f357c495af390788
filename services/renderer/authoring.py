"""Authoring an office's own .docx template: what it may contain, checked before it is stored (PUT
/api/v1/templates/{jenis}.docx). It may use only the documented fields (`FIELDS`, `ATTRIBUTES`), filters
(`FILTERS`) and tests (`TESTS`), and no call, arithmetic, include or macro (`template_problems`), and it must use
the required fields (`REQUIRED_FIELDS`). docs/reports.md lists the vocabulary; tests/unit/renderer/test_templating.py
holds it to the view-model the renderer builds. Rendering itself (the sandbox) is templating.py's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError

from services.renderer.templating import docx_env
from services.renderer.viewmodel import LABELS

_FIGURES = ("target", "realisasi", "capaian", "predikat", "keterangan")
_ROW = (
    *("no", "kode", "nama", "satuan", "sasaran_kode", "sasaran_nama", "sasaran_first", "sasaran_span", "desimal"),
    *_FIGURES,
    *("target_value", "target_range", "realisasi_value", "capaian_value"),
    *(f"{f}_sd" for f in _FIGURES),
    *("target_sd_value", "target_sd_range", "realisasi_sd_value", "capaian_sd_value"),
)
_SASARAN = ("no", "kode", "nama", "capaian", "capaian_value", "predikat", "skipped")
_MONEY = (
    *("pagu", "pagu_value", "realisasi", "realisasi_value", "persen", "persen_value"),
    *("realisasi_sd", "realisasi_sd_value", "persen_sd", "persen_sd_value"),  # from TW I up to the period's end
)
# what the items of each view-model field hold (a list's items, or a mapping's keys)
ITEMS: dict[str, tuple[str, ...]] = {
    "kepala": (
        *("jabatan", "nama", "nip", "tanggal", "signed", "status"),
        *("pangkat", "golongan", "nip_label", "tempat_tanggal"),
    ),  # the signatory (viewmodel.signatory_block)
    "rows": _ROW,
    "sasaran": _SASARAN,
    "approvals": ("no", "nama", "nip", "jabatan", "decided_at", "catatan"),
    "catatan": ("triwulan", "unit_kode", "unit", "kendala", "solusi"),
    "anggaran": ("no", "kode", "nama", "unit", *_MONEY),
    "anggaran_total": _MONEY,
    "trend": ("kode", "nama", "satuan", "desimal", "points"),
    "trend.points": ("q", "label", "target", "target_value", "target_range", "realisasi", "realisasi_value"),
    "trend_instansi": ("label", "capaian_value"),
    "rencana_aksi": (
        *("no", "kode", "nama", "satuan", "desimal", "target", "tw", "realisasi_sd", "capaian_sd"),
        "capaian_sd_value",
    ),
    "rencana_aksi.tw": (
        *("q", "label", "berjalan", "target", "target_value", "target_range", "realisasi", "realisasi_value"),
    ),
    "peringatan": ("no", "kode", "nama", "level", "tingkat", "pesan", "capaian_value"),
    "analisis_periode": (
        *("no", "kode", "nama", "satuan", "capaian", "capaian_value", "capaian_sd", "predikat", "unit", "first"),
        *("span", "sumber", "penyebab", "kendala", "solusi", "tindak_lanjut", "belum", "kosong"),
    ),  # quarterly and semester: the per-indicator analysis, a row per unit and quarter
    "konsistensi": ("no", "rule", "kode", "pesan", "penjelasan"),
    "pk_rows": (
        *("no", "sasaran_kode", "sasaran_nama", "sasaran_first", "sasaran_span", "kode", "nama", "satuan"),
        *("desimal", "target", "target_value", "target_range", "tw", "tw_values", "tw_ranges", "penanggung_jawab"),
    ),
    "program": ("no", "kode", "nama", "pagu"),
    "perbandingan": (
        *("no", "kode", "nama", "satuan", "desimal", "realisasi_lalu", "realisasi_lalu_value", "realisasi"),
        "realisasi_value",
        *("perubahan", "perubahan_value", "kondisi", "target_renstra", "target_renstra_value", "capaian_renstra"),
        *("capaian_renstra_value", "target_renstra_range"),
    ),
    "sasaran_detail": (*_SASARAN, "rows", "catatan"),
    "profil": ("pemda", "latar", "kedudukan", "tugas", "fungsi", "isu", "penutup"),
    # the annual LKIP's own parts (services/renderer/lkip.py)
    "judul_tabel": (
        *("sdm_golongan", "sdm_pendidikan", "renstra", "pk", "program", "skala", "rumus", "capaian", "perbandingan"),
        *("seri", "tindak_lanjut", "catatan", "anggaran", "efisiensi"),
    ),
    "judul_grafik": ("capaian", "tren"),
    "daftar_tabel": ("kunci", "nomor", "judul", "teks"),
    "daftar_grafik": ("kunci", "nomor", "judul", "teks"),
    "sdm_golongan": ("no", "nama", "jumlah", "persen"),
    "sdm_pendidikan": ("no", "nama", "jumlah", "persen"),
    "renstra": ("ada", "periode", "visi", "misi", "tujuan"),
    "renstra_rows": (
        *("no", "sasaran_nama", "sasaran_first", "sasaran_span", "kode", "nama", "satuan", "target_tahun"),
        "target_akhir",
    ),
    "skala_predikat": ("rentang", "predikat"),
    "rumus_capaian": ("polaritas", "rumus"),
    "analisis_indikator": (
        *("no", "kode", "nama", "satuan", "sasaran_kode", "polaritas", "target", "realisasi", "capaian", "predikat"),
        *("rumus", "paragraf", "desimal", "seri", "target_renstra_tahun", "target_renstra_akhir", "unit"),
        *("analisis_belum", "grafik_kunci", "grafik_judul", "grafik_seri"),
    ),  # and `grafik`, the indicator's multi-year chart as an image
    "analisis_indikator.unit": ("sumber", "penyebab", "kendala", "solusi", "tindak_lanjut", "teks"),
    "analisis_indikator.grafik_seri": ("tahun", "realisasi_value", "target_value", "target_range"),
    "efisiensi": (
        *("no", "kode", "nama", "capaian", "capaian_value", "pagu", "pagu_value", "realisasi", "realisasi_value"),
        *("serapan", "serapan_value", "rasio", "rasio_value", "sisa", "sisa_value", "keterangan", "dukungan"),
        "tanpa_program",
    ),
    "kata_pengantar_ttd": ("tempat_tanggal", "jabatan", "nama"),
    "pk_ttd": (
        *("tanggal", "tempat_tanggal", "pertama_jabatan", "pertama_nama", "pertama_pangkat", "pertama_nip"),
        *("kedua_jabatan", "kedua_nama", "kedua_pangkat", "kedua_nip"),
    ),
    "tindak_lanjut": (  # the LKIP's follow-ups of the year (lkip.tindak_lanjut_rows)
        *("no", "nomor", "tanggal", "indikator", "kode_indikator", "unit", "instruksi", "hasil_diharapkan"),
        *("batas_waktu", "status", "status_kode", "selesai", "hasil", "bukti", "bukti_value"),
    ),
}
_COMMON = ("locale", "labels", "kind", "title", "instansi", "profil", "generated_on", "draft", "watermark", "catatan")
REPORT_FIELDS = frozenset(
    {
        *_COMMON,
        *("jenis", "kepala", "tahun", "periode", "periode_label", "periode_roman", "up_to_label", "has_sd"),
        *("generated_on_label", "version", "pk_label", "final", "rows", "sasaran", "capaian_instansi"),
        *("capaian_instansi_value", "predikat_instansi", "approvals", "anggaran", "anggaran_total", "trend"),
        *("anggaran_sd", "rencana_aksi", "peringatan", "analisis_periode", "konsistensi"),
        *("trend_quarters", "trend_instansi", "grafik_per", "grafik_tren_per", "pk_rows", "program", "perbandingan"),
        *("sasaran_detail", "struktur", "ringkasan", "penutup", "bab2_intro"),
        # the annual LKIP's own parts (lkip.py; only in a TAHUNAN view-model)
        *("kata_pengantar", "judul_tabel", "judul_grafik", "daftar_tabel", "daftar_grafik", "sdm_intro"),
        *("sdm_golongan", "sdm_pendidikan", "struktur_intro", "renstra", "renstra_rows", "pk_intro"),
        *("skala_predikat", "rumus_capaian", "tahun_seri", "analisis_indikator", "efisiensi", "pk_ttd"),
        *("kolom_target_renstra", "konsistensi_tahunan", "kata_pengantar_ttd"),
        *("tindak_lanjut", "tindak_lanjut_intro", "tindak_lanjut_belum"),  # issue 17
        *("grafik", "grafik_tren"),  # the two charts, as images
    }
)
DISPOSISI_FIELDS = frozenset(
    {
        *_COMMON,
        *("nomor", "tanggal", "dari", "dari_nama", "dari_jabatan", "dari_nip", "kepada", "instruksi", "batas_waktu"),
    }
)
# The fields an office's own .docx template must use before it is accepted (PUT /api/v1/templates/{jenis}.docx):
# the figures the report is about. Everything else in the view-model it may use or leave out. Not `watermark`: the
# renderer lays the DRAF watermark over every draft .docx itself (documents/wordform.py), whatever the template.
_REPORT_FIELDS = {"instansi", "periode_label", "rows", "sasaran", "capaian_instansi", "predikat_instansi"}
REQUIRED_FIELDS: dict[str, set[str]] = {
    "triwulan": _REPORT_FIELDS | {"grafik"},
    "semester": _REPORT_FIELDS | {"grafik", "grafik_tren"},
    "tahunan": _REPORT_FIELDS
    | {"grafik", "grafik_tren", "pk_rows", "perbandingan", "catatan", "anggaran", "kepala"}
    | {"analisis_indikator", "efisiensi"},
    "disposisi": {"nomor", "tanggal", "dari", "kepada", "instruksi", "batas_waktu", "catatan"},
}
FIELDS = {"triwulan": REPORT_FIELDS, "semester": REPORT_FIELDS, "tahunan": REPORT_FIELDS, "disposisi": DISPOSISI_FIELDS}
LOOP = ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0")
ATTRIBUTES = frozenset(
    {a for items in ITEMS.values() for a in items} | {k for labels in LABELS.values() for k in labels} | set(LOOP)
)
FILTERS = frozenset(
    {
        "upper",
        "lower",
        "title",
        "capitalize",
        "trim",
        "default",
        "d",
        "length",
        "count",
        "first",
        "last",
        "join",
        "replace",
    }
    | {"string", "round", "int", "e", "escape", "truncate"}
)
TESTS = frozenset({"defined", "undefined", "none", "number", "string", "odd", "even", "true", "false", "eq", "ne"})
# the constructs a template may use: text, output, fields and their attributes, constant subscripts, filters, tests,
# comparisons, `~`, `and`/`or`/`not`, `if`, `for`, `set`, `with`, constants
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Filter,
    nodes.Test,
    nodes.Keyword,
    nodes.For,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Concat,
    nodes.Assign,
    nodes.With,
    nodes.Tuple,
    nodes.List,
    nodes.ScopedEvalContextModifier,
    nodes.EvalContextModifier,
)


class TemplateRefused(ValueError):
    """Not a template docxtpl can read: not a .docx, or a Jinja syntax error."""


def template_sources(data: bytes) -> Iterator[str]:
    """The Jinja sources docxtpl renders from a .docx: the body, headers, footers, footnotes and the text core
    properties (`DocxTemplate.render`)."""
    tpl = DocxTemplate(BytesIO(data))
    tpl.init_docx()
    yield tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _rel, part in tpl.get_headers_footers(uri):
            yield tpl.patch_xml(tpl.get_part_xml(part))
    for part in tpl.docx.part.package.parts:
        if part.content_type.endswith(".footnotes+xml"):
            yield tpl.patch_xml(part.blob.decode("utf-8"))
    props = tpl.docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):  # docxtpl's render_properties
        yield getattr(props, name) or ""


def check_docx_template(data: bytes, jenis: str) -> tuple[list[str], list[str]]:
    """(what the template uses that is not allowed, the required fields it does not use), both sorted;
    TemplateRefused when docxtpl cannot read it."""
    env = docx_env()
    problems: set[str] = set()
    used: set[str] = set()
    try:
        for source in template_sources(data):
            tree = env.parse(source)
            problems |= template_problems(tree, FIELDS[jenis])
            used |= {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    except TemplateSyntaxError as exc:
        raise TemplateRefused(f"{exc.message} ({exc.__class__.__name__})") from exc
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml and python-docx errors: no .docx
        raise TemplateRefused(str(exc) or type(exc).__name__) from exc
    return sorted(problems), sorted(REQUIRED_FIELDS[jenis] - used)


def template_problems(tree: nodes.Template, fields: frozenset[str]) -> set[str]:
    """Each construct of a parsed template outside the documented vocabulary, as the template writes it."""
    bound = {"loop"}
    for target in _targets(tree):
        bound |= {n.name for n in [target, *target.find_all(nodes.Name)] if isinstance(n, nodes.Name)}
    problems = {p for node in tree.find_all(nodes.Node) if (p := _problem(node, fields, bound))}
    problems |= _growth_problems(tree)
    # `a.__init__.__globals__` is one problem, named where it starts
    return {p for p in problems if not any(p.startswith(q + sep) for q in problems for sep in ".[(")}


MAX_FOR_DEPTH = 2  # a table's rows and a row's cells; deeper loops multiply the output by the data each level


def _growth_problems(tree: nodes.Template) -> set[str]:
    """What would let a small template write an unbounded document (the outsider check: 16 lines of
    `{% set a1 = a0 ~ a0 %}` doubling a text made 2 MB of document.xml from 600 bytes, 30 would ask for gigabytes):
    a `set`/`with` value that reads a name another `set`/`with` bound (so each line can double the last), `for`
    loops nested deeper than MAX_FOR_DEPTH, and a filter's `attribute=` naming anything but a documented
    attribute (`join(attribute='__class__')`)."""
    bindings = [_binding(node) for node in tree.find_all((nodes.Assign, nodes.With))]
    assigned = {name for targets, _ in bindings for name in _names(targets)}
    problems = {f"{{% set … = {name} %}}" for _, values in bindings for name in _names(values) if name in assigned}
    if _for_depth(tree) > MAX_FOR_DEPTH:
        problems.add(f"{{% for %}} > {MAX_FOR_DEPTH}")
    for kw in tree.find_all(nodes.Keyword):
        value = kw.value
        if kw.key == "attribute" and not (isinstance(value, nodes.Const) and _subscript_ok(value)):
            problems.add(f"attribute={_text(value)}")
    return problems


def _binding(node: nodes.Node) -> tuple[list[nodes.Node], list[nodes.Node]]:
    """(the names' nodes a `set`/`with` binds, the expressions it binds them to)."""
    if isinstance(node, nodes.With):
        return list(node.targets), list(node.values)
    assert isinstance(node, nodes.Assign)
    return [node.target], [node.node]


def _names(exprs: list[nodes.Node]) -> set[str]:
    return {n.name for e in exprs for n in [e, *e.find_all(nodes.Name)] if isinstance(n, nodes.Name)}


def _for_depth(node: nodes.Node) -> int:
    deepest = max((_for_depth(child) for child in node.iter_child_nodes()), default=0)
    return deepest + 1 if isinstance(node, nodes.For) else deepest


def _targets(tree: nodes.Template) -> Iterator[nodes.Node]:
    for node in tree.find_all((nodes.For, nodes.Assign, nodes.With)):
        if isinstance(node, nodes.With):
            yield from node.targets
        elif isinstance(node, (nodes.For, nodes.Assign)):
            yield node.target


_CHECKS: dict[type[nodes.Node], Callable[[Any, frozenset[str], set[str]], str | None]] = {
    nodes.Name: lambda n, fields, bound: None if _name_ok(n, fields, bound) else f"{{{{ {n.name} }}}}",
    nodes.Getattr: lambda n, _f, _b: None if _attribute_ok(n.attr) else f"{_text(n.node)}.{n.attr}",
    nodes.Getitem: lambda n, _f, _b: None if _subscript_ok(n.arg) else f"{_text(n.node)}[{_text(n.arg)}]",
    nodes.Filter: lambda n, _f, _b: None if n.name in FILTERS else f"| {n.name}",
    nodes.Test: lambda n, _f, _b: None if n.name in TESTS else f"is {n.name}",
}


def _problem(node: nodes.Node, fields: frozenset[str], bound: set[str]) -> str | None:
    if not isinstance(node, ALLOWED_NODES):
        return _construct(node)
    check = _CHECKS.get(type(node))
    return check(node, fields, bound) if check else None


def _name_ok(node: nodes.Name, fields: frozenset[str], bound: set[str]) -> bool:
    """A documented field, or a name the template binds (`for`, `set`, `with`); never `self` or `_…`."""
    if node.ctx != "load":
        return True
    return (node.name in fields or node.name in bound) and not node.name.startswith("_") and node.name != "self"


def _attribute_ok(name: str) -> bool:
    return name in ATTRIBUTES and not name.startswith("_")


def _subscript_ok(arg: nodes.Node) -> bool:
    if not isinstance(arg, nodes.Const):
        return False
    return isinstance(arg.value, int) or (isinstance(arg.value, str) and _attribute_ok(arg.value))


# how a template writer knows each refused construct
_REFUSED: dict[type[nodes.Node], str] = {
    nodes.Pow: "**",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Slice: "[a:b]",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Extends: "{% extends %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.Block: "{% block %}",
}


def _construct(node: nodes.Node) -> str:
    if isinstance(node, nodes.Call):
        return f"{_text(node.node)}(…)"
    return next((shown for kind, shown in _REFUSED.items() if isinstance(node, kind)), type(node).__name__)


def _text(node: nodes.Node) -> str:
    """A short rendering of an expression, to name it in an error."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Call):
        return f"{_text(node.node)}(…)"
    return "…"
