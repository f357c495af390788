"""Issue 15: the annual LKIP's own parts (services/renderer/lkip.py) on the worked example — Kata Pengantar, the
numbered captions and their lists, Bab I's SDM, Bab II's Renstra, Bab III's predikat scale and formula per polarity,
one analysis paragraph per indicator with the units' causes, the multi-year charts, the efficiency per sasaran and
the PK signed by both parties. Expected figures are worked out from examples/*.json here, not read off the output."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from datetime import date
from decimal import Decimal

import pytest
from docx import Document

from services.renderer import documents
from services.renderer.documents.charts import chart_images
from services.renderer.viewmodel import PROFIL_FILE, build_view_model
from tests.unit.renderer.test_reports import docx_text, flat, pdf_text
from tests.unit.renderer.worked_example import load_pk, load_submissions, quarter_recaps, recaps, rendered

GENERATED_ON = date(2025, 1, 20)
# what the units said about two indicators (the recap's `analisis`, as the aggregator lists it)
PENYEBAB_IK22 = "Sebagian peserta gelombang III belum siap mengikuti uji kompetensi"
ANALISIS = [
    {"indikator": "IK-2.2", "triwulan": 2, "unit": "BID-PPTK", "penyebab": PENYEBAB_IK22,
     "kendala": "Asesor LSP terbatas", "solusi": "Menambah jadwal uji", "tindak_lanjut": "Kerja sama LSP P3"},
    {"indikator": "IK-4.2", "triwulan": 2, "unit": "BID-HI", "penyebab": None, "kendala": "Dua kasus mogok",
     "solusi": None, "tindak_lanjut": None},
]  # fmt: skip


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


@pytest.fixture(scope="module")
def pk() -> dict:
    return load_pk()


def lkip(example: dict, pk: dict | None, analisis: list | None = None, **kw) -> dict:
    rekap = {**example["TAHUNAN"], "analisis": ANALISIS if analisis is None else analisis}
    return build_view_model(rekap, pk=pk, final=False, generated_on=GENERATED_ON, quarters=quarter_recaps(example),
                            **kw)  # fmt: skip


@pytest.fixture(scope="module")
def vm(example, pk) -> dict:
    return lkip(example, pk)


def by_kode(vm: dict) -> dict:
    return {a["kode"]: a for a in vm["analisis_indikator"]}


# --- the outline's parts --------------------------------------------------------------------------------------


def test_kata_pengantar_bab1_sdm_and_structure(vm, pk):
    assert len(vm["kata_pengantar"]) >= 2 and "99,84%" in " ".join(vm["kata_pengantar"])  # the office's capaian
    profil = json.loads(PROFIL_FILE.read_text())["id"]["sdm"]
    total = sum(g["jumlah"] for g in profil["golongan"])
    assert total == sum(p["jumlah"] for p in profil["pendidikan"])  # both tables count the same staff
    gol = vm["sdm_golongan"]
    assert [r["nama"] for r in gol[:-1]] == [g["nama"] for g in profil["golongan"]]
    assert gol[-1]["jumlah"] == str(total) and gol[-1]["persen"] == "100,00" and gol[-1]["no"] == ""
    first = profil["golongan"][0]["jumlah"]
    assert gol[0]["persen"] == f"{Decimal(first) / total * 100:.2f}".replace(".", ",")
    assert f"berjumlah {total} orang" in vm["sdm_intro"] and "31 Desember 2024" in vm["sdm_intro"]
    units = [u["nama"] for u in pk["units"] if u.get("jenis") != "instansi_terkait"]
    assert vm["struktur"] == units  # the PK's units, the related agency (BPS) left out


def test_bab2_renstra_summary_and_pk_statement(vm, pk):
    r = pk["renstra"]
    assert vm["renstra"]["ada"] and vm["renstra"]["periode"] == f"{r['tahun_awal']}–{r['tahun_akhir']}"
    assert vm["renstra"]["visi"] == r["visi"] and vm["renstra"]["misi"] == r["misi"]
    assert vm["renstra"]["tujuan"][0].endswith(r["tujuan"][0]["nama"])
    n_ind = sum(len(s["indikator"]) for s in pk["sasaran"])
    rows = vm["renstra_rows"]
    assert len(rows) == n_ind and [x["sasaran_span"] for x in rows if x["sasaran_first"]] == [
        len(s["indikator"]) for s in pk["sasaran"]
    ]
    iku = rows[0]  # IKU-1: the Renstra's 2024 target is its end target (the Renstra ends in 2024)
    end = next(t["target"] for t in pk["sasaran"][0]["indikator"][0]["target_renstra"] if t["tahun"] == 2024)
    assert iku["target_tahun"] == iku["target_akhir"] == f"{Decimal(end):.2f}".replace(".", ",")
    assert "31 Januari 2024" in vm["pk_intro"] and pk["pihak_kedua"]["nama"] in vm["pk_intro"]


def test_bab3_states_the_scale_and_the_formula_per_polarity(vm):
    # the aggregator's bands (shared.sakip DEFAULT_PREDIKAT_BANDS): ≥ 91 Sangat Baik, 76 Baik, 66 Cukup, 51 Kurang
    assert [(s["rentang"], s["predikat"]) for s in vm["skala_predikat"]] == [
        ("≥ 91,00", "Sangat Baik"),
        ("76,00 – 90,99", "Baik"),
        ("66,00 – 75,99", "Cukup"),
        ("51,00 – 65,99", "Kurang"),
        ("< 51,00", "Sangat Kurang"),
    ]
    rumus = [r["rumus"] for r in vm["rumus_capaian"]]
    assert rumus[0] == "Capaian = Realisasi ÷ Target × 100%"
    assert rumus[1].startswith("Capaian = (2 × Target − Realisasi) ÷ Target × 100%")  # compute_capaian, negatif
    assert "Batas Bawah" in rumus[2] and "Batas Atas" in rumus[2]


def test_each_indicator_writes_its_polarity_formula_with_its_figures(vm):
    a = by_kode(vm)
    # IKU-1, lower is better: (2 × 6,90 − 6,82) / 6,90 × 100 = 6,98 / 6,90 × 100 = 101,159… → 101,16
    assert a["IKU-1"]["rumus"].endswith("= (2 × 6,90 − 6,82) ÷ 6,90 × 100% = 101,16%")
    assert "6,82 ÷ 6,90" not in a["IKU-1"]["paragraf"] and "6,82 / 6,90" not in a["IKU-1"]["paragraf"]
    # IK-2.1, a count (no decimals): 1.280 / 1.200 × 100 = 106,666… → 106,67
    assert a["IK-2.1"]["rumus"].endswith("= 1.280 ÷ 1.200 × 100% = 106,67%")
    assert "1.280 orang" in a["IK-2.1"]["paragraf"] and "1.280,00" not in a["IK-2.1"]["paragraf"]
    # IK-4.2, a count and lower is better: (2 × 4 − 3) / 4 × 100 = 125
    assert a["IK-4.2"]["rumus"].endswith("= (2 × 4 − 3) ÷ 4 × 100% = 125,00%") and "3 kasus" in a["IK-4.2"]["paragraf"]
    assert "dalam rentang target 90,00 – 100,00" in a["IK-5.1"]["rumus"]  # rentang: inside the range is 100 %


def test_the_word_analysis_never_divides_a_lower_is_better_indicator(example, pk):
    text = flat(docx_text(rendered(lkip(example, pk))["docx"]))
    assert "(2 × 6,90 − 6,82) ÷ 6,90 × 100% = 101,16%" in text
    assert "6,82 / 6,90" not in text and "6,82 ÷ 6,90" not in text


def test_the_paragraph_covers_last_year_the_series_the_renstra_path_and_the_benchmark(vm, pk):
    iku = by_kode(vm)["IKU-1"]
    ind = pk["sasaran"][0]["indikator"][0]
    past = {e["tahun"]: Decimal(e["nilai"]) for e in ind["realisasi_tahun_sebelumnya"]}
    # vs last year: 6,82 − 7,04 = −0,22, lower is better: membaik
    assert "tahun 2023 sebesar 7,04%, kinerja membaik (perubahan −0,22)" in iku["paragraf"]
    series = "; ".join(f"{past[y]:.2f} ({y})".replace(".", ",") for y in range(2020, 2024)) + "; 6,82 (2024)"
    assert f"Perkembangan realisasi 2020–2024: {series}." in iku["paragraf"]
    assert iku["seri"] == [f"{past[y]:.2f}".replace(".", ",") for y in range(2020, 2024)] + ["6,82"]
    # the Renstra's 2024 target for IKU-1 is 6,20 and 6,82 is above it (lower is better): not on track
    assert "belum memenuhi target Renstra tahun 2024 sebesar 6,20%" in iku["paragraf"]
    bench = ind["benchmark"]
    assert f"sebesar {Decimal(bench['nilai']):.2f}%".replace(".", ",") in iku["paragraf"]
    assert bench["sumber"] in iku["paragraf"] and "nasional" in iku["paragraf"]
    # 6,82 % unemployment is higher than 4,91 % nationally and lower is better: below the benchmark
    assert "lebih tinggi dari angka nasional" in iku["paragraf"] and "masih di bawah pembanding" in iku["paragraf"]
    # IK-5.1's 96,30 lies inside its 2024 Renstra range: on track
    assert "sehingga berada pada jalur pencapaian target Renstra." in by_kode(vm)["IK-5.1"]["paragraf"]


def test_a_below_target_indicator_gives_its_units_causes(vm, example):
    a = by_kode(vm)
    ik22 = a["IK-2.2"]  # 97,56 % < 100: the units' penyebab, kendala, solusi and tindak lanjut follow
    assert [u["sumber"] for u in ik22["unit"]] == ["Bidang Pelatihan dan Produktivitas Tenaga Kerja (Triwulan II)"]
    teks = ik22["unit"][0]["teks"]
    assert f"Penyebab: {PENYEBAB_IK22}" in teks and "Kendala: Asesor LSP terbatas" in teks
    assert "Tindak lanjut: Kerja sama LSP P3" in teks and ik22["analisis_belum"] == ""
    # IK-4.2 at 125 % (> 120) sent a kendala but no penyebab: still flagged
    assert a["IK-4.2"]["analisis_belum"] == "Analisis penyebab belum disampaikan oleh unit kerja penanggung jawab."
    assert a["IK-2.1"]["analisis_belum"] == "" and a["IK-2.1"]["unit"] == []  # 106,67 %: nothing to explain
    # a data-correction note (an item's keterangan: IK-3.2's June data) is never printed as a kendala
    corrections = [i["keterangan"] for s in load_submissions() for i in s["realisasi"] if i.get("keterangan")]
    assert corrections and not any(c in u["teks"] for x in a.values() for u in x["unit"] for c in corrections)


def test_the_worked_example_recap_carries_the_units_analysis(example, pk):
    """The units' per-indicator texts of examples/submissions-2024.json reach the LKIP (worked_example builds the
    recap's `analisis` as the aggregator does); the report-level catatan is shown apart, not as the analysis."""
    said = [(s["unit"], s["triwulan"], i) for s in load_submissions() for i in s["realisasi"] if i.get("penyebab")]
    vm = build_view_model(example["TAHUNAN"], pk=pk, final=False, generated_on=GENERATED_ON)
    a = by_kode(vm)
    unit, q, item = next((u, q, i) for u, q, i in said if i["indikator"] == "IK-2.2")
    assert any(
        item["penyebab"].rstrip(".") in u["teks"] and f"(Triwulan {'I' * q})" in u["sumber"]
        for u in a["IK-2.2"]["unit"]
    )
    assert a["IK-2.2"]["analisis_belum"] == "" and a["IK-4.2"]["analisis_belum"] == ""  # both explained
    catatan = [c["kendala"] for c in example["TAHUNAN"]["catatan"] if c.get("kendala")]
    assert catatan and not any(c in u["teks"] for x in a.values() for u in x["unit"] for c in catatan)


def test_without_any_analysis_each_indicator_outside_100_to_120_is_flagged(example, pk):
    flagged = {a["kode"] for a in lkip(example, pk, analisis=[])["analisis_indikator"] if a["analisis_belum"]}
    outside = {r["kode"] for r in example["TAHUNAN"]["indikator"] if not 100 <= Decimal(r["capaian"]) <= 120}
    assert flagged == outside == {"IK-2.2", "IK-4.2"}


def test_efficiency_of_a_sasaran_by_hand(vm, pk):
    ss2 = {e["kode"]: e for e in vm["efisiensi"]}["SS-2"]
    # P-02 (BID-PPTK) is SS-2's programme: pagu 6.420.000.000; spent 810 + 1.920 + 1.760 + 1.650 = 6.140 million
    # serapan 6.140 / 6.420 × 100 = 95,638…; capaian SS-2 = (100 + 97,56 + 100) / 3 = 99,19 (each capped at 100)
    # ratio 99,19 / 95,638… = 1,0371… → 1,04; sisa 6.420 − 6.140 = 280 million
    assert (ss2["capaian"], ss2["serapan"], ss2["rasio"]) == ("99,19", "95,64", "1,04")
    assert ss2["sisa"] == "Rp 280.000.000" and ss2["sisa_value"] == Decimal(280_000_000)
    assert ss2["keterangan"] == "efisien"
    p02 = next(p for p in pk["program"] if p["kode"] == "P-02")
    assert ss2["dukungan"][0] == "P-02 " + p02["nama"]
    assert [d.split(" ", 2)[1] for d in ss2["dukungan"][1:]] == [k["kode"] for k in p02["kegiatan"]]
    ss1 = {e["kode"]: e for e in vm["efisiensi"]}["SS-1"]  # no programme of SS-1 in the PK: no ratio
    assert ss1["rasio"] == "–" and ss1["tanpa_program"] == "tidak ada program pendukung dalam PK"


def test_the_pk_in_the_lampiran_is_signed_by_both_parties_on_its_date(vm):
    t = vm["pk_ttd"]
    assert t["tempat_tanggal"] == "Tangerang, 31 Januari 2024"  # PK tanggal 2024-01-31
    assert (t["pertama_nama"], t["pertama_pangkat"], t["pertama_nip"]) == (
        "Dr. Ujang Hendra Gunawan, S.Sos, M.Si",
        "Pembina Utama Muda (IV/c)",
        "19720502 200212 1 009",
    )
    assert t["kedua_jabatan"] == "Wali Kota Tangerang"
    assert vm["kepala"]["signed"] is False and vm["kepala"]["nama"] == ""  # the report itself: still unsigned


def test_a_pk_without_the_new_keys_still_makes_an_lkip(example, pk):
    old = copy.deepcopy(pk)
    for key in ("renstra", "tanggal", "pihak_kedua"):
        old.pop(key, None)
    for s in old["sasaran"]:
        for i in s["indikator"]:
            for key in ("realisasi_tahun_sebelumnya", "target_renstra", "benchmark", "desimal", "kategori"):
                i.pop(key, None)
    vm = lkip(example, old, analisis=[])
    assert not vm["renstra"]["ada"] and vm["pk_ttd"]["tanggal"] == "" and vm["pk_intro"] == ""
    iku = by_kode(vm)["IKU-1"]
    assert "Perkembangan realisasi 2023–2024: 7,04 (2023); 6,82 (2024)." in iku["paragraf"]  # realisasi_tahun_lalu
    assert "sebesar 6,20%" in iku["paragraf"] and "on track" not in iku["paragraf"]  # target_akhir_renstra only
    documents.render_pdf(vm)  # renders


# --- captions, lists and charts ---------------------------------------------------------------------------------


def test_captions_are_numbered_consecutively_per_chapter(vm):
    for kind in ("daftar_tabel", "daftar_grafik"):
        seen: dict[str, list[int]] = {}
        for c in vm[kind]:
            bab, n = re.fullmatch(r"(?:Tabel|Grafik) (\d+)\.(\d+)", c["nomor"]).groups()  # type: ignore[union-attr]
            seen.setdefault(bab, []).append(int(n))
            assert c["teks"] == f"{c['nomor']} {c['judul']}"
        assert all(ns == list(range(1, len(ns) + 1)) for ns in seen.values()), seen
    assert list(dict.fromkeys(c["nomor"].split()[1].split(".")[0] for c in vm["daftar_tabel"])) == ["1", "2", "3"]
    # Bab III: the capaian and trend charts, then one multi-year chart per indicator
    grafik = [c["nomor"] for c in vm["daftar_grafik"]]
    assert grafik == [f"Grafik 3.{n}" for n in range(1, 3 + len(vm["rows"]))]
    assert vm["judul_tabel"]["skala"] == "Tabel 3.1 Skala Nilai Predikat Capaian Kinerja"


def test_charts_one_per_indicator_deterministic(vm):
    charts = chart_images(vm)
    assert len(charts) == 2 + len(vm["rows"]) == 11
    assert all(png.startswith(b"\x89PNG") for png in charts.values())
    assert chart_images(vm) == charts  # byte-identical on a second draw
    iku = by_kode(vm)["IKU-1"]
    assert [p["tahun"] for p in iku["grafik_seri"]] == [2020, 2021, 2022, 2023, 2024]
    assert all(p["target_value"] is not None for p in iku["grafik_seri"])  # the Renstra path of each year


def test_word_has_every_caption_in_the_caption_style_in_order(example, pk, vm):
    doc = Document(io.BytesIO(rendered(vm)["docx"]))
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    tables = [c for c in captions if c.startswith("Tabel")]
    figures = [c for c in captions if c.startswith("Grafik")]
    assert tables == [c["teks"] for c in vm["daftar_tabel"]] and figures == [c["teks"] for c in vm["daftar_grafik"]]
    assert len(doc.inline_shapes) == 11


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_lists_tables_and_figures_with_pages_and_prints_each_section(vm):
    text = pdf_text(rendered(vm)["pdf"])
    one = flat(text)
    for c in [*vm["daftar_tabel"], *vm["daftar_grafik"]]:
        assert one.count(c["teks"]) >= 2, c["teks"]  # in its list and above its table/chart
    assert re.search(r"Tabel 3\.1 Skala Nilai Predikat Capaian Kinerja \.+ ?\d+", text)  # with its page number
    parts = ["KATA PENGANTAR", "DAFTAR TABEL", "DAFTAR GRAFIK", "C. Sumber Daya Manusia", "Visi", "Misi"]
    parts += ["Analisis Capaian per Indikator", "Efisiensi Penggunaan Sumber Daya per Sasaran", "PIHAK KEDUA"]
    for part in parts:
        assert part in text, part
    assert PENYEBAB_IK22 in one and "(2 × 6,90 − 6,82) ÷ 6,90 × 100% = 101,16%" in one


def test_an_lkip_without_a_pk_still_renders(example):
    vm = build_view_model(example["TAHUNAN"], pk=None, final=False, generated_on=GENERATED_ON)
    assert vm["renstra_rows"] == [] and vm["pk_ttd"]["pertama_nama"] == "" and not vm["renstra"]["ada"]
    assert len(vm["analisis_indikator"]) == len(vm["rows"]) and vm["efisiensi"][0]["rasio"] != ""
    documents.render_all(vm)
