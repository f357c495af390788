"""The signature block as Indonesian offices write it (issue #15 item 8): viewmodel.signatory_block's fields, the
partial templates/_ttd.html and the Word builder's one signature function print the same lines."""

from __future__ import annotations

import io
import re

import jinja2
import pytest
from docx import Document
from docxtpl import DocxTemplate
from markupsafe import Markup

from services.renderer.documents.docx import _new_document, _signature
from services.renderer.viewmodel import LABELS, build_view_model, nip_label, signatory_block

KEPALA = {
    "nama": "Dr. Ujang Hendra Gunawan, S.Sos, M.Si",
    "nip": "197205022002121009",
    "jabatan": "Kepala Dinas",
    "pangkat": "Pembina Utama Muda",
    "golongan": "IV/c",
    "decided_at": "2025-01-24T02:00:00+00:00",
    "signatory": True,
}


@pytest.mark.parametrize(
    ("nip", "shown"),
    [
        ("197205022002121009", "19720502 200212 1 009"),  # 8 (born) 6 (appointed) 1 (sex) 3 (number)
        (" 197205022002121009 ", "19720502 200212 1 009"),
        ("19720502 200212 1 009", "19720502 200212 1 009"),  # already spaced: as given
        ("1972050220021210", "1972050220021210"),  # not 18 digits: as given
        ("19720502200212100X", "19720502200212100X"),
        ("１９７２０５０２２００２１２１００９", "１９７２０５０２２００２１２１００９"),  # not ASCII digits
        ("", ""),
    ],
)
def test_nip_is_spaced_8_6_1_3_only_when_it_is_18_digits(nip, shown):
    assert nip_label(nip) == shown


def test_block_has_place_and_day_pangkat_golongan_and_spaced_nip():
    block = signatory_block([KEPALA], True, "id")
    assert block["tempat_tanggal"] == "Tangerang, 24 Januari 2025"  # the city from templates/profil.json
    assert (block["pangkat"], block["golongan"], block["nip_label"]) == (
        "Pembina Utama Muda", "IV/c", "19720502 200212 1 009",
    )  # fmt: skip
    assert signatory_block([KEPALA], True, "en")["tempat_tanggal"] == "Tangerang, 24 January 2025"
    assert signatory_block([KEPALA], True, "id", kota="Serang")["tempat_tanggal"] == "Serang, 24 Januari 2025"


def test_day_is_the_office_zone_day():
    late = {**KEPALA, "decided_at": "2025-01-23T18:30:00+00:00"}  # 01:30 WIB on the 24th
    assert signatory_block([late], True, "id")["tempat_tanggal"] == "Tangerang, 24 Januari 2025"


def test_an_official_without_pangkat_prints_none_and_a_draft_prints_no_block():
    bare = {k: v for k, v in KEPALA.items() if k not in ("pangkat", "golongan")}
    assert signatory_block([bare], True, "id")["pangkat"] == ""
    draft = signatory_block([KEPALA], False, "id")
    assert not draft["signed"] and draft["tempat_tanggal"] == "" and draft["nip_label"] == ""


def test_office_profile_names_its_city(example_recaps, pk_doc):
    profil = {"id": {"kota": "Tangerang Selatan"}}
    vm = build_view_model(example_recaps["TAHUNAN"], pk=pk_doc, final=True, generated_on=_day(), approvals=[KEPALA],
                          profil=profil)  # fmt: skip
    assert vm["kepala"]["tempat_tanggal"] == "Tangerang Selatan, 24 Januari 2025"


def _day():
    from datetime import date

    return date(2025, 1, 27)


@pytest.fixture
def example_recaps():
    from tests.unit.renderer.worked_example import recaps

    return recaps()


@pytest.fixture
def pk_doc():
    from tests.unit.renderer.worked_example import load_pk

    return load_pk()


def _ttd_html(kepala) -> list[str]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader("services/renderer/templates"), autoescape=True)
    html = env.get_template("_ttd.html").render(vm={"kepala": kepala, "labels": LABELS["id"]})
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", html.split("</style>", 1)[1], flags=re.S)
    return [Markup(p).striptags() for p in paragraphs]


def _ttd_docx(kepala) -> tuple[list[str], object]:
    doc = _new_document()
    _signature(doc)
    raw = io.BytesIO()
    doc.save(raw)
    raw.seek(0)
    tpl = DocxTemplate(raw)
    tpl.render({"kepala": kepala, "labels": LABELS["id"], "watermark": ""})
    out = io.BytesIO()
    tpl.save(out)
    paragraphs = Document(io.BytesIO(out.getvalue())).paragraphs
    return [p.text for p in paragraphs if p.text.strip()], paragraphs


EXPECTED = ["Tangerang, 24 Januari 2025", "Kepala Dinas", KEPALA["nama"], "Pembina Utama Muda (IV/c)",
            "NIP. 19720502 200212 1 009"]  # fmt: skip


def test_html_partial_and_word_print_the_same_lines():
    kepala = signatory_block([KEPALA], True, "id")
    assert _ttd_html(kepala) == EXPECTED
    lines, paragraphs = _ttd_docx(kepala)
    assert lines == EXPECTED
    name = next(p for p in paragraphs if p.text == KEPALA["nama"])
    assert name.runs[0].bold and name.runs[0].underline  # the name bold and underlined, as on paper
    gap = [p.text for p in paragraphs]
    i, j = gap.index("Kepala Dinas"), gap.index(KEPALA["nama"])
    assert j - i >= 3 and not any(t.strip() for t in gap[i + 1 : j])  # room to sign


def test_without_pangkat_and_nip_those_lines_vanish():
    kepala = signatory_block([{**KEPALA, "pangkat": None, "golongan": None, "nip": None}], True, "id")
    assert _ttd_html(kepala) == EXPECTED[:3]
    assert _ttd_docx(kepala)[0] == EXPECTED[:3]
    golongan_only = signatory_block([{**KEPALA, "pangkat": None}], True, "id")
    assert "(IV/c)" in _ttd_html(golongan_only)


def test_a_draft_prints_that_it_is_not_approved_yet():
    kepala = signatory_block([KEPALA], False, "id")
    assert _ttd_html(kepala) == ["Dokumen ini belum disahkan (DRAF)."]
    assert _ttd_docx(kepala)[0] == ["Dokumen ini belum disahkan (DRAF)."]
