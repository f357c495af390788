"""The LKjIP's quality check as the draft page shows it (templates/draft.html, `#kualitas`): per measured criterion
its coverage in words ("benchmark: 4 dari 9 indikator (44,44 %)"), the answer it earns and what is lacking, with
links; per component the predicted score "dari N kriteria terukur". Figures in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from services.approval.answers import Kualitas
from services.approval.web.i18n import t
from shared.formatting import fmt_number

SATUAN = {  # what a check counts (its `dari`)
    "target": "indikator", "renstra": "indikator", "tahun_lalu": "indikator", "benchmark": "indikator",
    "analisis": "indikator", "rencana_aksi": "indikator", "tindak_lanjut": "indikator", "efisiensi": "sasaran",
    "berkala": "laporan", "tepat_waktu": "laporan", "tindak_lanjut_selesai": "tindak_lanjut",
}  # fmt: skip


class KurangView(TypedDict):
    kode: str
    nama: str
    alasan: str
    tautan: str | None


class KriteriaView(TypedDict):
    kode: str
    teks: str
    judul: str
    cakupan: str
    jawaban: str | None
    kurang: list[KurangView]


class KomponenView(TypedDict):
    kode: str
    nama: str
    prediksi: str | None
    terukur: str


class KualitasView(TypedDict):
    intro: str
    kriteria: list[KriteriaView]
    komponen: list[KomponenView]


def coverage_text(kunci: str, ada: int, dari: int, cakupan: str | None, lang: str) -> str:
    """ "benchmark: 4 dari 9 indikator (44,44 %)" / "benchmark: 4 of 9 indicators (44.44%)"."""
    if cakupan is None:
        return t("kualitas_kosong", lang).format(kunci=kunci)
    satuan = t(f"kualitas_satuan_{SATUAN.get(kunci, 'indikator')}", lang)
    persen = fmt_number(Decimal(cakupan), 2, lang)
    return t("kualitas_cakupan", lang).format(kunci=kunci, ada=ada, dari=dari, satuan=satuan, persen=persen)


def kualitas_view(found: Kualitas | None, lang: str) -> KualitasView | None:
    if found is None:
        return None
    en = lang == "en"
    return {
        "intro": t("kualitas_intro", lang).format(lembar=found["lembar"]),
        "kriteria": [
            {
                "kode": c["kode"],
                "teks": c["teks_en"] if en else c["teks"],
                "judul": c["judul_en"] if en else c["judul_id"],
                "cakupan": coverage_text(c["kunci"], c["ada"], c["dari"], c["cakupan"], lang),
                "jawaban": c["jawaban"],
                "kurang": [
                    {
                        "kode": m["kode"],
                        "nama": m["nama"],
                        "alasan": m["alasan_en"] if en else m["alasan_id"],
                        "tautan": m["tautan"],
                    }
                    for m in c["kurang"]
                ],  # fmt: skip
            }
            for c in found["kriteria"]
        ],
        "komponen": [
            {
                "kode": k["kode"],
                "nama": k["nama_en"] if en else k["nama"],
                "prediksi": None
                if k["prediksi"] is None
                else t("kualitas_prediksi", lang).format(
                    nilai=fmt_number(Decimal(k["prediksi"]), 2, lang), bobot=fmt_number(Decimal(k["bobot"]), 2, lang)
                ),
                "terukur": t("kualitas_terukur", lang).format(n=k["terukur"], m=k["jumlah"])
                if k["terukur"]
                else t("kualitas_tak_terukur", lang),
            }
            for k in found["komponen"]
        ],
    }
