"""The LKjIP's quality check as the draft page shows it (templates/draft.html, `#kualitas`): per measured criterion
its coverage in words under the check's title ("Realisasi dibandingkan dengan pembanding (benchmark): 4 dari 9
indikator (44,44 %)"), the answer it earns and what is lacking, with links; per component the range its score may
still take ("prakiraan 3,75 – 12,00 dari bobot 15,00; 8 dari 22 kriteria terukur"). Figures in the reader's
language."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from services.approval.answers import Kualitas, KualitasKomponen
from services.approval.web.i18n import t
from shared.formatting import fmt_number

SATUAN = {  # what a check counts (its `dari`)
    "target": "indikator", "renstra": "indikator", "tahun_lalu": "indikator", "benchmark": "indikator",
    "analisis": "indikator", "rencana_aksi": "indikator", "tindak_lanjut": "indikator", "efisiensi": "sasaran",
    "berkala": "laporan", "tepat_waktu": "laporan", "tindak_lanjut_selesai": "tindak_lanjut",
    "pengukuran_berkala": "triwulan",
}  # fmt: skip
KOSONG = {"analisis": "kualitas_kosong_analisis"}  # why a check has nothing to look at, where "no <satuan>" is wrong


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
    rentang: str
    kriteria: list[KriteriaView]
    komponen: list[KomponenView]


def coverage_text(kunci: str, judul: str, ada: int, dari: int, cakupan: str | None, lang: str) -> str:
    """ "<judul>: 4 dari 9 indikator (44,44 %)"; with nothing to look at "<judul>: tidak ada yang perlu diperiksa:
    belum ada tindak lanjut" — the check's title, never its key."""
    satuan = t(f"kualitas_satuan_{SATUAN.get(kunci, 'indikator')}", lang)
    if cakupan is None:
        sebab = t(KOSONG[kunci], lang) if kunci in KOSONG else t("kualitas_kosong_umum", lang).format(satuan=satuan)
        return t("kualitas_kosong", lang).format(judul=judul, sebab=sebab)
    persen = fmt_number(Decimal(cakupan), 2, lang)
    return t("kualitas_cakupan", lang).format(judul=judul, ada=ada, dari=dari, satuan=satuan, persen=persen)


def _range(k: KualitasKomponen, lang: str) -> str | None:
    if k["prediksi_min"] is None or k["prediksi_maks"] is None:
        return None
    return t("kualitas_prediksi", lang).format(
        bawah=fmt_number(Decimal(k["prediksi_min"]), 2, lang),
        atas=fmt_number(Decimal(k["prediksi_maks"]), 2, lang),
        bobot=fmt_number(Decimal(k["bobot"]), 2, lang),
    )


def kualitas_view(found: Kualitas | None, lang: str) -> KualitasView | None:
    if found is None:
        return None
    en = lang == "en"
    return {
        "intro": t("kualitas_intro", lang).format(lembar=found["lembar"]),
        "rentang": t("kualitas_rentang", lang),
        "kriteria": [
            {
                "kode": c["kode"],
                "teks": c["teks_en"] if en else c["teks"],
                "judul": c["judul_en"] if en else c["judul_id"],
                "cakupan": coverage_text(
                    c["kunci"], c["judul_en"] if en else c["judul_id"], c["ada"], c["dari"], c["cakupan"], lang
                ),
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
                "prediksi": _range(k, lang),
                "terukur": t("kualitas_terukur", lang).format(n=k["terukur"], m=k["jumlah"])
                if k["terukur"]
                else t("kualitas_tak_terukur", lang),
            }
            for k in found["komponen"]
        ],
    }
