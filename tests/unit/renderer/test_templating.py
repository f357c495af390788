"""Issue 12 item 4: an office's own Word template cannot run code. It is refused at upload when it uses anything
but the documented fields, filters and tests; and one that reaches the template folder anyway renders in the
sandbox, which refuses (SecurityError) before anything runs."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from jinja2.exceptions import SecurityError

from services.renderer import documents, templating
from services.renderer.authoring import (
    ATTRIBUTES,
    DISPOSISI_FIELDS,
    FILTERS,
    ITEMS,
    REPORT_FIELDS,
    REQUIRED_FIELDS,
    check_docx_template,
)
from services.renderer.documents import disposisi_view_model, render_disposisi, render_docx
from services.renderer.viewmodel import build_view_model
from tests.unit.renderer.test_lkip_tindak_lanjut import FOLLOW_UPS
from tests.unit.renderer.test_reports import APPROVALS, DISPOSISI, docx_text, own_template
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps

EXPLOIT = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"


def with_text(text: str, where: str = "body", base: bytes | None = None) -> bytes:
    """A template holding `text` in its body, header, footer or title (the core property docxtpl renders too)."""
    doc = Document(io.BytesIO(base or own_template(REQUIRED_FIELDS["triwulan"])))
    if where == "body":
        doc.add_paragraph(text)
    elif where == "header":
        doc.sections[0].header.add_paragraph(text)
    elif where == "footer":
        doc.sections[0].footer.add_paragraph(text)
    else:
        doc.core_properties.title = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def tw1() -> dict[str, Any]:
    example = recaps()
    return build_view_model(
        example["TW1"], pk=load_pk(), generated_on=date(2025, 1, 20), final=False, quarters=quarter_recaps(example)
    )


# ---- refused at upload ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["body", "header", "footer", "title"])
def test_the_exploit_is_refused_wherever_docxtpl_would_render_it(where: str) -> None:
    refused, missing = check_docx_template(with_text(EXPLOIT, where), "triwulan")
    assert refused == ["cycler.__init__", "{{ cycler }}"] and missing == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ rows.__class__ }}", "rows.__class__"),
        ("{{ labels['__class__'] }}", "labels['__class__']"),
        ("{{ labels[instansi] }}", "labels[instansi]"),  # a computed subscript
        ("{{ instansi.upper() }}", "instansi.upper"),
        ("{{ kepala.nama() }}", "kepala.nama(…)"),
        ("{{ instansi|attr('__class__') }}", "| attr"),
        ("{{ rows|map(attribute='x')|list }}", "| list"),
        ("{{ 9**9**9 }}", "**"),
        ("{{ 'x' * 1000000000 }}", "*"),
        ("{{ range(10) }}", "range(…)"),
        ("{{ lipsum }}", "{{ lipsum }}"),
        ("{{ self }}", "{{ self }}"),
        ("{{ os }}", "{{ os }}"),
        ("{% include 'laporan.html' %}", "{% include %}"),
        ("{% import 'x' as y %}", "{% import %}"),
        ("{% macro m() %}x{% endmacro %}", "{% macro %}"),
        ("{{ rows is callable }}", "is callable"),
        ("{{ rows[1:] }}", "[a:b]"),
        ("{{ r.nama }}{% for r in rows %}{{ r.bukan_kolom }}{% endfor %}", "r.bukan_kolom"),
        # outsider check: a small template that writes an unbounded document (each line doubling the last)
        ("{% set a0 = instansi %}{% set a1 = a0 ~ a0 %}{% set a2 = a1 ~ a1 %}{{ a2 }}", "{% set … = a1 %}"),
        ("{% set a = instansi %}{% with b = a ~ a %}{{ b }}{% endwith %}", "{% set … = a %}"),
        (
            "{% for a in rows %}{% for b in rows %}{% for c in rows %}{{ c.nama }}{% endfor %}{% endfor %}{% endfor %}",
            "{% for %} > 2",
        ),
        ("{{ rows|join(', ', attribute='__class__') }}", "attribute='__class__'"),
        ("{{ rows|join(', ', attribute=instansi) }}", "attribute=instansi"),
    ],
)
def test_anything_outside_the_documented_vocabulary_is_refused_and_named(text: str, named: str) -> None:
    refused, _ = check_docx_template(with_text(text), "triwulan")
    assert named in refused, refused


def test_a_report_field_is_refused_in_the_disposisi_template() -> None:
    base = own_template(set())
    refused, _ = check_docx_template(with_text("{{ capaian_instansi }}", base=base), "disposisi")
    assert "{{ capaian_instansi }}" in refused and "{{ rows }}" in refused


def test_the_bundled_templates_and_a_documented_custom_one_are_accepted(tw1: dict[str, Any], tmp_path: Path) -> None:
    for jenis, path in documents.DOCX_TEMPLATES.items():
        assert check_docx_template(path.read_bytes(), jenis) == ([], []), jenis
    custom = with_text(
        "{% for s in sasaran %}{% if s.capaian_value is number and loop.first %}{{ s.nama|upper }}: "
        "{{ s.capaian|default('–') }} ~ {{ labels.capaian }} {{ s['predikat'] ~ '!' }}{% endif %}{% endfor %}"
        "{% set n = rows|length %}{{ n }} {{ kepala.nama|title }} {{ rows[0].kode }}"
    )
    assert check_docx_template(custom, "triwulan") == ([], [])
    (tmp_path / "triwulan.docx").write_bytes(custom)
    text = docx_text(render_docx(tw1, template_dir=tmp_path))
    assert "KOP DINAS CONTOH" in text and "MENINGKATNYA" in text.upper() and "IKU-1" in text


# ---- on disk, bypassing the upload: the sandbox refuses at render -------------------------------------------


def popen(marker: Path) -> str:
    return f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


@pytest.mark.parametrize(
    "attack",
    [
        popen,
        lambda m: f"{{{{ rows.__class__.__mro__[1].__subclasses__() }}}}{popen(m)}",
        lambda m: f"{{{{ instansi.__class__.__base__.__subclasses__() }}}}{popen(m)}",
        lambda m: "{{ 9**9**9 }}" + popen(m),
    ],
)
@pytest.mark.parametrize("where", ["body", "header", "title"])
def test_a_template_placed_on_disk_does_not_run_code(
    tw1: dict[str, Any], tmp_path: Path, attack: Callable[[Path], str], where: str
) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "triwulan.docx").write_bytes(with_text(attack(marker), where))
    with pytest.raises(SecurityError):
        render_docx(tw1, template_dir=tmp_path)
    assert not marker.exists()


def test_the_disposisi_template_on_disk_does_not_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    base = own_template(REQUIRED_FIELDS["disposisi"] - {"rows", "sasaran"})
    (tmp_path / "disposisi.docx").write_bytes(with_text(popen(marker), base=base))
    with pytest.raises(SecurityError):
        render_disposisi(DISPOSISI, template_dir=tmp_path)
    assert not marker.exists()


def test_a_template_that_writes_without_end_is_stopped_while_it_writes(
    tw1: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outsider check: two nested loops over a text (allowed at upload) with the name written 200 times inside made
    an 18.7 MB document.xml from 36 KB. The output of every template is bounded while it is written."""
    growth = "{% for c in instansi %}{% for d in instansi %}" + "{{ instansi }}" * 200 + "{% endfor %}{% endfor %}"
    data = with_text(growth)
    assert check_docx_template(data, "triwulan") == ([], [])  # passes the upload rules: bounded by the data only
    (tmp_path / "triwulan.docx").write_bytes(data)
    monkeypatch.setattr(templating, "MAX_RENDERED_CHARS", 2_000_000)  # the real bound is 64 M; the same mechanism
    with pytest.raises(templating.OutputTooLarge):
        render_docx(tw1, template_dir=tmp_path)
    (tmp_path / "triwulan.docx").write_bytes(with_text("{% for r in rows %}{{ r.nama }}{% endfor %}"))
    assert "{{" not in docx_text(render_docx(tw1, template_dir=tmp_path))  # a normal one renders under the bound


# ---- the vocabulary is the view-model's ---------------------------------------------------------------------


def keys_by_field(value: Any, path: str, out: dict[str, set[str]]) -> None:
    """Every mapping's keys under its field's name (list items merged; `sasaran_detail.rows` as `rows`)."""
    if isinstance(value, dict):
        out.setdefault(path, set()).update(value)
        for k, v in value.items():
            keys_by_field(v, k if path in ("", "sasaran_detail") else f"{path}.{k}", out)
    elif isinstance(value, list):
        for item in value:
            keys_by_field(item, path, out)


def test_the_documented_fields_are_the_view_models(tw1: dict[str, Any]) -> None:
    example = recaps()
    found: dict[str, set[str]] = {}
    for periode in ("TW1", "S1", "TAHUNAN"):
        final = {"final": True, "approvals": APPROVALS} if periode == "TAHUNAN" else {"final": False}
        if periode == "TAHUNAN":  # the year's follow-ups (issue 17), for the fields of their rows
            final["tindak_lanjut"] = FOLLOW_UPS
        rekap = example[periode]
        if periode == "TAHUNAN":  # a unit's analysis of an indicator (the recap's `analisis`), for its fields
            said = {"indikator": "IK-2.2", "triwulan": 2, "unit": "BID-PPTK", "penyebab": "p", "kendala": None,
                    "solusi": "s", "tindak_lanjut": None}  # fmt: skip
            rekap = {**rekap, "analisis": [said]}
        vm = build_view_model(
            rekap, pk=load_pk(), generated_on=date(2025, 1, 20), quarters=quarter_recaps(example), **final
        )
        keys_by_field({k: v for k, v in vm.items() if k != "labels"}, "", found)
        assert set(vm["labels"]) <= ATTRIBUTES
    assert found.pop("") | {"labels", "grafik", "grafik_tren"} == REPORT_FIELDS
    assert {k: v for k, v in found.items() if k != "catatan"} == {k: set(v) for k, v in ITEMS.items() if k != "catatan"}
    assert set(disposisi_view_model(DISPOSISI)) == DISPOSISI_FIELDS
    assert {"upper", "default", "length"} <= FILTERS and "attr" not in FILTERS
