"""The annual LKIP's own parts (PermenPANRB 53/2014) beyond the tables every report shares: Kata Pengantar, the
numbered captions and their lists (Daftar Tabel, Daftar Grafik), the office's SDM, the Renstra summary, the
predikat scale and the capaian formula per polarity as the aggregator computes it (services/aggregator/domain.py
`compute_capaian`, `roll_up`), one analysis paragraph per indicator (target, realisasi, capaian, last year, the
multi-year series, the Renstra path, the benchmark, the units' causes from the recap's `analisis`), the efficiency
per sasaran and the PK signed by both parties. Pure: no I/O; every figure of an indicator with its own decimals
(`shared.sakip.decimals_of`). docs/reports.md maps each part to its data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.renderer.viewtypes import (
    AnalisisIndikator,
    AnalisisUnit,
    Caption,
    Efisiensi,
    LkipParts,
    PkTtd,
    RenstraRow,
    RenstraView,
    SdmRow,
    SeriPoint,
    SkalaRow,
    TindakLanjutBaris,
)
from shared import clock
from shared.decimals import optional_decimal as _dec
from shared.formatting import MISSING, fmt_date, fmt_number, fmt_rupiah, round_half_up
from shared.sakip import DEFAULT_PREDIKAT_BANDS, decimals_of, predikat_label, roman
from shared.sakip.checks import consistency
from shared.sakip.kualitas import below_target

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
SERIES_YEARS = 5  # the multi-year table and charts: this year and the four before
_NEEDS_ANALYSIS = (Decimal(100), Decimal(120))  # below the first or above the second: the units must explain


class Captions:
    """Numbered captions per chapter, in the order the document shows them: "Tabel 3.1 …", "Grafik 3.1 …"; the
    lists (Daftar Tabel / Daftar Grafik) and each caption by its key."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.words = {"tabel": labels["tabel_no"], "grafik": labels["grafik_no"]}
        self.counts: dict[tuple[str, int], int] = {}
        self.lists: dict[str, list[Caption]] = {"tabel": [], "grafik": []}
        self.by_key: dict[str, dict[str, str]] = {"tabel": {}, "grafik": {}}

    def add(self, kind: str, bab: int, key: str, judul: str) -> str:
        n = self.counts[kind, bab] = self.counts.get((kind, bab), 0) + 1
        nomor = f"{self.words[kind]} {bab}.{n}"
        judul = judul.removeprefix(f"{self.words[kind]} ")  # "Grafik Capaian …" → "Grafik 3.1 Capaian …"
        self.lists[kind].append({"kunci": key, "nomor": nomor, "judul": judul, "teks": f"{nomor} {judul}"})
        self.by_key[kind][key] = f"{nomor} {judul}"
        return f"{nomor} {judul}"


def _fmt(value: Decimal | None, places: int, locale: str) -> str:
    return fmt_number(value, places, locale)


def _with_unit(text: str, satuan: str) -> str:
    if text == MISSING:
        return text
    return f"{text}%" if satuan.strip() == "%" else f"{text} {satuan}".rstrip()


def _target_of(doc: Mapping[str, Any]) -> Decimal | tuple[Decimal, Decimal] | None:
    """A target entry of the PK (`target`, or `target_min`/`target_max`)."""
    low, high = _dec(doc.get("target_min")), _dec(doc.get("target_max"))
    if low is not None and high is not None:
        return (low, high)
    return _dec(doc.get("target"))


def capaian_of(
    polaritas: str, realisasi: Decimal | None, target: Decimal | tuple[Decimal, Decimal] | None
) -> Decimal | None:
    """Capaian as the aggregator computes it (services/aggregator/domain.py `compute_capaian`), for the Renstra
    targets the recap does not carry; None where it is undefined."""
    if realisasi is None or target is None:
        return None
    if isinstance(target, tuple):
        low, high = target
        if low == 0:
            return None
        if low <= realisasi <= high:
            return _HUNDRED
        if realisasi < low:
            return realisasi / low * _HUNDRED
        return max(_ZERO, (2 * high - realisasi) / high * _HUNDRED)
    if target == 0:
        return _HUNDRED if polaritas == "negatif" and realisasi == 0 else None
    if polaritas == "negatif":
        return max(_ZERO, (2 * target - realisasi) / target * _HUNDRED)
    return realisasi / target * _HUNDRED


def _better(polaritas: str, a: Decimal, b: Decimal, target: Decimal | tuple[Decimal, Decimal] | None = None) -> int:
    """1 when `a` is better than `b` for this polarity, -1 when worse, 0 when equal; a rentang indicator: the
    nearer to its target range the better (both inside: equal)."""
    if polaritas == "rentang":
        if not isinstance(target, tuple):
            return 0
        low, high = target
        da, db = (max(low - v, v - high, _ZERO) for v in (a, b))
        return 0 if da == db else (1 if da < db else -1)
    if a == b:
        return 0
    return (1 if a > b else -1) * (-1 if polaritas == "negatif" else 1)


def renstra_end(ind: Mapping[str, Any], akhir_tahun: int) -> Decimal | tuple[Decimal, Decimal] | None:
    """The one Renstra end target of an indicator, everywhere the LKIP prints it (Tabel 2.1, 3.4, 3.5, the
    analysis): the PK's `target_renstra` of the Renstra's last year (a range for a rentang indicator), else
    `target_akhir_renstra`."""
    end = _year_target(list(ind.get("target_renstra") or []), akhir_tahun) if akhir_tahun else None
    return end if end is not None else _dec(ind.get("target_akhir_renstra"))


def kondisi(
    polaritas: str,
    now: Decimal,
    last: Decimal,
    target: Decimal | tuple[Decimal, Decimal] | None,
    labels: Mapping[str, str],
) -> str:
    """This year against last year in words, per polarity: a rentang indicator inside its range both years "stays
    within the target range" (never "unchanged" next to a change of +3,20)."""
    if isinstance(target, tuple) and all(target[0] <= v <= target[1] for v in (now, last)):
        return labels["tetap_rentang"]
    better = _better(polaritas, now, last, target)
    return labels["tetap"] if better == 0 else labels["membaik" if better > 0 else "memburuk"]


def _rumus_text(
    polaritas: str,
    realisasi: Decimal | None,
    target: Decimal | tuple[Decimal, Decimal] | None,
    capaian: str,
    places: int,
    locale: str,
    labels: Mapping[str, str],
) -> str:
    """The formula of this indicator's polarity with its figures: never "r ÷ t" for a lower-is-better one."""
    if realisasi is None or target is None:
        return ""

    def n(value: Decimal) -> str:
        return _fmt(value, places, locale)

    r = n(realisasi)
    if isinstance(target, tuple):
        low, high = target
        if low <= realisasi <= high:
            return labels["an_rentang_dalam"].format(realisasi=r, target=f"{n(low)} – {n(high)}")
        if realisasi < low:
            return f"{labels['rumus_rentang_bawah']} = {r} ÷ {n(low)} × 100% = {capaian}%"
        return f"{labels['rumus_rentang_atas']} = (2 × {n(high)} − {r}) ÷ {n(high)} × 100% = {capaian}%"
    if polaritas == "negatif":
        return f"{labels['rumus_negatif_singkat']} = (2 × {n(target)} − {r}) ÷ {n(target)} × 100% = {capaian}%"
    return f"{labels['rumus_positif']} = {r} ÷ {n(target)} × 100% = {capaian}%"


def _nip_spaced(nip: str) -> str:
    """A civil servant's 18-digit NIP as offices write it: "19720502 200212 1 009"."""
    digits = nip.replace(" ", "")
    if len(digits) != 18 or not digits.isdigit():
        return nip
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def _pangkat(who: Mapping[str, Any]) -> str:
    pangkat, golongan = str(who.get("pangkat") or ""), str(who.get("golongan") or "")
    if pangkat and golongan:
        return f"{pangkat} ({golongan})"
    return pangkat or golongan


def _iso_date(value: Any, locale: str) -> str:
    try:
        return fmt_date(date.fromisoformat(str(value)), locale)
    except ValueError:
        return ""


def pk_ttd(pk: Mapping[str, Any], kota: str, locale: str) -> PkTtd:
    """The PK's two signatories (Lampiran): the head of the office (pihak pertama) and `pihak_kedua`, on the day
    the PK was signed (`tanggal`)."""
    kepala: Mapping[str, Any] = (pk.get("instansi") or {}).get("kepala") or {}
    kedua: Mapping[str, Any] = pk.get("pihak_kedua") or {}
    tanggal = _iso_date(pk.get("tanggal"), locale) if pk.get("tanggal") else ""
    jabatan = kepala.get("jabatan") or f"Kepala {(pk.get('instansi') or {}).get('nama', '')}".strip()
    return {
        "tanggal": tanggal,
        "tempat_tanggal": f"{kota}, {tanggal}" if kota and tanggal else tanggal,
        "pertama_jabatan": str(jabatan),
        "pertama_nama": str(kepala.get("nama") or ""),
        "pertama_pangkat": _pangkat(kepala),
        "pertama_nip": _nip_spaced(str(kepala.get("nip") or "")),
        "kedua_jabatan": str(kedua.get("jabatan") or ""),
        "kedua_nama": str(kedua.get("nama") or ""),
        "kedua_pangkat": _pangkat(kedua),
        "kedua_nip": _nip_spaced(str(kedua.get("nip") or "")),
    }


def _sdm_rows(items: Sequence[Mapping[str, Any]], locale: str) -> list[SdmRow]:
    counts = [(str(i.get("nama", "")), Decimal(str(i.get("jumlah", 0)))) for i in items]
    total = sum((c for _, c in counts), _ZERO)
    rows: list[SdmRow] = []
    for n, (nama, jumlah) in enumerate(counts, start=1):
        share = jumlah / total * _HUNDRED if total else None
        rows.append({"no": str(n), "nama": nama, "jumlah": _fmt(jumlah, 0, locale), "persen": _fmt(share, 2, locale)})
    if rows:
        rows.append({"no": "", "nama": "", "jumlah": _fmt(total, 0, locale), "persen": _fmt(_HUNDRED, 2, locale)})
    return rows


def _year_target(entries: Sequence[Mapping[str, Any]], tahun: int) -> Decimal | tuple[Decimal, Decimal] | None:
    for e in entries:
        if int(e.get("tahun", 0)) == tahun:
            return _target_of(e)
    return None


def _fmt_target(target: Decimal | tuple[Decimal, Decimal] | None, places: int, locale: str) -> str:
    if isinstance(target, tuple):
        return f"{_fmt(target[0], places, locale)} – {_fmt(target[1], places, locale)}"
    return _fmt(target, places, locale)


def _series(ind: Mapping[str, Any], tahun: int, now: Decimal | None) -> dict[int, Decimal]:
    """Realisasi by year: the PK's past years (`realisasi_tahun_sebelumnya`, else `realisasi_tahun_lalu`) and this
    year's, the last SERIES_YEARS of them."""
    values: dict[int, Decimal] = {}
    for e in ind.get("realisasi_tahun_sebelumnya") or []:
        v = _dec(e.get("nilai"))
        if v is not None and int(e.get("tahun", 0)) < tahun:
            values[int(e["tahun"])] = v
    last = _dec(ind.get("realisasi_tahun_lalu"))
    if last is not None:
        values.setdefault(tahun - 1, last)
    if now is not None:
        values[tahun] = now
    return {y: values[y] for y in sorted(values) if y > tahun - SERIES_YEARS}


_TEXT_KEYS = ("penyebab", "kendala", "solusi", "tindak_lanjut")


def _unit_analyses(
    items: Sequence[Mapping[str, Any]], units: Mapping[str, str], labels: Mapping[str, str]
) -> list[AnalisisUnit]:
    """The units' causes and follow-up for one indicator, quarter by quarter (the recap's `analisis`)."""
    out: list[AnalisisUnit] = []
    for a in items:
        unit = units.get(str(a.get("unit") or ""), str(a.get("unit") or ""))
        q = a.get("triwulan")
        sumber = f"{unit} ({labels['triwulan']} {roman(int(q))})" if q else unit
        texts = {k: str(a.get(k) or "").strip() for k in _TEXT_KEYS}
        label_of = {"penyebab": labels["penyebab"], "kendala": labels["kendala"], "solusi": labels["solusi"],
                    "tindak_lanjut": labels["tindak_lanjut"]}  # fmt: skip
        parts = [f"{label_of[k]}: {texts[k].rstrip('.;')}" for k in _TEXT_KEYS if texts[k]]  # one full stop
        if not parts:
            continue
        out.append(
            {
                "sumber": sumber,
                **{k: texts[k] or MISSING for k in _TEXT_KEYS},  # type: ignore[typeddict-item]
                "teks": f"{sumber} — " + "; ".join(parts) + ".",
            }
        )
    return out


def _benchmark_sentence(
    polaritas: str,
    now: Decimal | None,
    bench: Mapping[str, Any],
    value: Decimal,
    target: Decimal | tuple[Decimal, Decimal] | None,
    shown: Any,
    vm: Mapping[str, Any],
) -> str:
    """The benchmark sentence per polarity: how the realisasi compares with the benchmark's value (higher, lower,
    equal) and what that means for this indicator ("TPT 6,82% lebih tinggi dari angka nasional 4,91% …; karena
    semakin rendah semakin baik, kinerjanya masih di bawah pembanding")."""
    labels = vm["labels"]
    if now is None:
        return ""
    arah = "bm_sama_dengan" if now == value else ("bm_lebih_tinggi" if now > value else "bm_lebih_rendah")
    compare = _better(polaritas, now, value, target)  # a rentang one: the nearer to its range the better
    banding = labels["bm_sama"] if compare == 0 else labels["bm_lebih_baik" if compare > 0 else "bm_lebih_buruk"]
    tingkat = labels.get(f"bm_{bench.get('tingkat') or 'lainnya'}", labels["bm_lainnya"])
    return str(
        labels["an_benchmark"].format(
            realisasi=shown(now),
            arah=labels[arah],
            tingkat=tingkat,
            tahun=bench.get("tahun") or vm["tahun"],
            nilai=shown(value),
            sumber=bench.get("sumber") or MISSING,
            arti=labels.get(f"bm_arti_{polaritas}", labels["bm_arti_positif"]),
            instansi=vm["instansi"],
            banding=banding,
        )
    )


def _analisis(
    vm: Mapping[str, Any],
    rekap: Mapping[str, Any],
    pk: Mapping[str, Any],
    units: Mapping[str, str],
) -> list[AnalisisIndikator]:
    locale, labels, tahun = vm["locale"], vm["labels"], int(vm["tahun"])
    pk_ind = {i["kode"]: i for s in pk.get("sasaran", []) for i in s.get("indikator", [])}
    renstra: Mapping[str, Any] = pk.get("renstra") or {}
    akhir_tahun = int(renstra.get("tahun_akhir") or 0)
    by_ind: dict[str, list[Mapping[str, Any]]] = {}
    for a in rekap.get("analisis") or []:
        by_ind.setdefault(str(a.get("indikator")), []).append(a)
    out: list[AnalisisIndikator] = []
    for row in vm["rows"]:
        ind: Mapping[str, Any] = pk_ind.get(row["kode"], {})
        polaritas = str(ind.get("polaritas") or "positif")
        places = decimals_of({**ind, "satuan": row["satuan"]}) if ind else 2
        satuan = row["satuan"]
        now, capaian = row["realisasi_value"], row["capaian_value"]
        target: Decimal | tuple[Decimal, Decimal] | None = row["target_range"] or row["target_value"]

        def shown(value: Decimal | tuple[Decimal, Decimal] | None, _p: int = places, _s: str = satuan) -> str:
            return _with_unit(_fmt_target(value, _p, locale), _s)

        fill = {"tahun": tahun, "nama": row["nama"], "target": shown(target), "realisasi": shown(now),
                "capaian": row["capaian"], "predikat": row["predikat"],
                "ket": row["keterangan"] or MISSING}  # fmt: skip
        sentences = [labels["an_capaian" if capaian is not None else "an_belum"].format(**fill)]
        rumus = _rumus_text(polaritas, now, target, row["capaian"], places, locale, labels)
        if rumus:
            pol = labels[f"pol_{polaritas}"].split(" (")[0].lower()
            sentences.append(labels["an_rumus"].format(polaritas=pol, rumus=rumus))
        series = _series(ind, tahun, now)
        last = series.get(tahun - 1)
        if last is not None and now is not None:
            change = now - last
            sign = "+" if change > 0 else ("−" if change < 0 else "")
            sentences.append(
                labels["an_lalu"].format(
                    tahun_lalu=tahun - 1,
                    lalu=shown(last),
                    kondisi=kondisi(polaritas, now, last, target, labels),
                    perubahan=sign + _fmt(abs(change), places, locale),
                )  # fmt: skip
            )
        if len(series) > 1:
            seri = "; ".join(f"{_fmt(v, places, locale)} ({y})" for y, v in series.items())
            sentences.append(labels["an_seri"].format(awal=min(series), akhir=max(series), seri=seri))
        plan = list(ind.get("target_renstra") or [])
        this_year = _year_target(plan, tahun)
        if this_year is not None and now is not None:
            on_track = (capaian_of(polaritas, now, this_year) or _ZERO) >= _HUNDRED
            key = "an_renstra_ok" if on_track else "an_renstra_tidak"
            sentences.append(labels[key].format(tahun=tahun, target=shown(this_year)))
        end = renstra_end(ind, akhir_tahun)
        end_cap = capaian_of(polaritas, now, end)
        if end is not None and end_cap is not None:
            sentences.append(
                labels["an_renstra_akhir"].format(
                    tahun=f" ({akhir_tahun})" if akhir_tahun else "",
                    target=shown(end),
                    capaian=_fmt(round_half_up(end_cap), 2, locale),
                )  # fmt: skip
            )
        bench: Mapping[str, Any] = ind.get("benchmark") or {}
        bench_value = _dec(bench.get("nilai"))
        if bench_value is not None and now is not None:
            sentences.append(_benchmark_sentence(polaritas, now, bench, bench_value, target, shown, vm))
        units_said = _unit_analyses(by_ind.get(row["kode"], []), units, labels)
        explained = any(u["penyebab"] != MISSING for u in units_said)
        needs = capaian is not None and not (_NEEDS_ANALYSIS[0] <= capaian <= _NEEDS_ANALYSIS[1])
        points: list[SeriPoint] = []
        years = sorted(
            set(series) | {int(e.get("tahun", 0)) for e in plan if int(e.get("tahun", 0)) > tahun - SERIES_YEARS}
        )
        for y in years:
            t = _year_target(plan, y)
            points.append(
                {
                    "tahun": y,
                    "realisasi_value": series.get(y),
                    "target_value": t if isinstance(t, Decimal) else None,
                    "target_range": t if isinstance(t, tuple) else None,
                }
            )
        seri_cells = [_fmt(series.get(y), places, locale) for y in range(tahun - SERIES_YEARS + 1, tahun + 1)]
        judul = labels["grafik_seri"].format(kode=row["kode"], awal=min(years, default=tahun),
                                             akhir=max(years, default=tahun))  # fmt: skip
        out.append(
            {
                "no": row["no"],
                "kode": row["kode"],
                "nama": row["nama"],
                "satuan": satuan,
                "sasaran_kode": row["sasaran_kode"],
                "polaritas": labels[f"pol_{polaritas}"],
                "target": shown(target),
                "realisasi": shown(now),
                "capaian": row["capaian"],
                "predikat": row["predikat"],
                "rumus": rumus,
                "paragraf": " ".join(sentences),
                "desimal": places,
                "seri": seri_cells,
                "target_renstra_tahun": _fmt_target(this_year, places, locale),
                "target_renstra_akhir": _fmt_target(end, places, locale),
                "unit": units_said,
                "analisis_belum": labels["analisis_belum"] if needs and not explained else "",
                "grafik_kunci": "",
                "grafik_judul": judul,
                "grafik_seri": points,
            }
        )
    return out


def _status(f: Mapping[str, Any], pada: date) -> str:
    """selesai once done; terlambat when its due date passed before the document's day (`pada`); else terbuka."""
    if f.get("selesai_at"):
        return "selesai"
    batas = _day(f.get("batas_waktu"))
    return "terlambat" if batas is not None and batas < pada else "terbuka"


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _office_day(moment: Any, locale: str) -> str:
    """An event's moment (ISO, UTC) as the office's calendar day: "8 Januari 2024"."""
    try:
        return fmt_date(clock.office_date(datetime.fromisoformat(str(moment))), locale)
    except ValueError:
        return MISSING


def _unit_of(f: Mapping[str, Any], units: Mapping[str, str]) -> str:
    """The responsible unit's name (the PK's), else the code it was given, else who received the disposition."""
    kode = str(f.get("unit") or "")
    if kode:
        return units.get(kode, kode)
    kepada: Mapping[str, Any] = f.get("kepada") or {}
    who = ", ".join(str(kepada[k]) for k in ("nama", "jabatan") if kepada.get(k))
    return who or MISSING


def tindak_lanjut_rows(
    follow_ups: Sequence[Mapping[str, Any]],
    units: Mapping[str, str],
    pada: date,
    locale: str,
    labels: Mapping[str, str],
) -> list[TindakLanjutBaris]:
    """The table of the year's follow-ups (tindaklanjut.known_at records), in the order they were issued."""
    rows: list[TindakLanjutBaris] = []
    for n, f in enumerate(follow_ups, start=1):
        status = _status(f, pada)
        bukti = len(f.get("bukti") or [])
        selesai = _office_day(f["selesai_at"], locale) if f.get("selesai_at") else ""
        batas = _day(f.get("batas_waktu"))
        rows.append(
            {
                "no": n,
                "nomor": str(f["nomor"]),
                "tanggal": _office_day(f.get("issued_at"), locale),
                "indikator": ", ".join(str(k) for k in f.get("indikator") or []),
                "kode_indikator": [str(k) for k in f.get("indikator") or []],
                "unit": _unit_of(f, units),
                "instruksi": str(f.get("instruksi") or MISSING),
                "hasil_diharapkan": str(f.get("hasil_diharapkan") or MISSING),
                "batas_waktu": fmt_date(batas, locale) if batas else MISSING,
                "status": labels[f"tl_{status}"] + (f" ({selesai})" if selesai else ""),
                "status_kode": status,
                "selesai": selesai,
                "hasil": str(f.get("hasil") or MISSING),
                "bukti": labels["tl_bukti_n"].format(n=bukti),
                "bukti_value": bukti,
            }
        )
    return rows


def _tl_sentence(rows: Sequence[TindakLanjutBaris], labels: Mapping[str, str]) -> str:
    """The analysis paragraph's sentence on an indicator's follow-ups: each with its unit and what came of it."""
    items = [
        labels["an_tl_item_selesai"].format(nomor=r["nomor"], unit=r["unit"], hasil=r["hasil"].rstrip("."))
        if r["status_kode"] == "selesai"
        else labels["an_tl_item"].format(nomor=r["nomor"], unit=r["unit"], status=r["status"], batas=r["batas_waktu"])
        for r in rows
    ]
    return str(labels["an_tl"].format(daftar="; ".join(items)))


def _periods_text(periods: Sequence[str], labels: Mapping[str, str]) -> str:
    """The periods an indicator fell short in, in words: "Triwulan II dan Triwulan III", "… dan capaian tahunan"."""
    names = [labels["tl_tahunan"] if p == "TAHUNAN" else labels[f"tl_{p}"] for p in periods]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {labels['tl_dan']} {names[-1]}"


def _tindak_lanjut(
    vm: Mapping[str, Any],
    follow_ups: Sequence[Mapping[str, Any]],
    units: Mapping[str, str],
    recaps: Mapping[str, Mapping[str, Any]],
) -> tuple[list[TindakLanjutBaris], str, list[str]]:
    """Bab III "Tindak Lanjut dan Pemanfaatan Informasi Kinerja": the rows, the sentence introducing them (or the one
    saying there is none), and one sentence per indicator under target in the year that no follow-up names — the
    one definition the quality check and the follow-up page count (shared.sakip.kualitas.below_target over
    `recaps`: the quarters' recaps and the annual one), each with the periods it fell short in."""
    locale, labels, tahun = vm["locale"], vm["labels"], int(vm["tahun"])
    rows = tindak_lanjut_rows(follow_ups, units, vm["generated_on"], locale, labels)
    count = {k: sum(1 for r in rows if r["status_kode"] == k) for k in ("selesai", "terbuka", "terlambat")}
    intro = (
        labels["tl_intro"].format(tahun=tahun, n=len(rows), **count) if rows else labels["tl_nihil"].format(tahun=tahun)
    )
    named = {k for r in rows for k in r["kode_indikator"]}
    belum = [
        labels["tl_belum"].format(
            kode=b["kode"],
            nama=b["nama"],
            periode=_periods_text(b["periode_semua"], labels),
            capaian=fmt_number(b["capaian"], 2, locale),
        )  # fmt: skip
        for b in below_target(recaps)
        if b["kode"] not in named
    ]
    return rows, intro, belum


def _efisiensi(vm: Mapping[str, Any], rekap: Mapping[str, Any], pk: Mapping[str, Any]) -> list[Efisiensi]:
    """Per sasaran: its capaian (the recap's) against the absorption of its programmes' budget (the recap's
    `anggaran`, a programme's sasaran from the recap or else the PK), the ratio capaian ÷ serapan, the money left,
    and the programmes and kegiatan that support it (PK `program[].kegiatan`)."""
    locale, labels = vm["locale"], vm["labels"]
    programmes = {p["kode"]: p for p in pk.get("program") or []}
    out: list[Efisiensi] = []
    for s in vm["sasaran"]:
        mine = [a for a in rekap.get("anggaran") or []
                if (a.get("sasaran") or programmes.get(a.get("kode"), {}).get("sasaran")) == s["kode"]]  # fmt: skip
        pagu = sum((_dec(a.get("pagu")) or _ZERO for a in mine), _ZERO)
        real = sum((_dec(a.get("realisasi")) or _ZERO for a in mine), _ZERO)
        serapan = real / pagu * _HUNDRED if pagu else None
        capaian = s["capaian_value"]
        rasio = capaian / serapan if capaian is not None and serapan else None
        rasio_shown = None if rasio is None else round_half_up(rasio)
        dukungan: list[str] = []
        for a in mine:
            prog = programmes.get(a.get("kode"), {})
            dukungan.append(f"{a.get('kode', '')} {a.get('nama', '')}".strip())
            for k in prog.get("kegiatan") or []:
                dukungan.append(f"– {k.get('kode', '')} {k.get('nama', '')}".rstrip())
        if rasio_shown is None:
            keterangan = ""  # no programme: said once, across the budget columns (tanpa_program)
        else:
            keterangan = labels["efisien" if rasio_shown >= 1 else "kurang_efisien"]
        out.append(
            {
                "no": s["no"],
                "kode": s["kode"],
                "nama": s["nama"],
                "capaian": s["capaian"],
                "capaian_value": capaian,
                "pagu": fmt_rupiah(pagu, locale) if mine else MISSING,
                "pagu_value": pagu if mine else None,
                "realisasi": fmt_rupiah(real, locale) if mine else MISSING,
                "realisasi_value": real if mine else None,
                "serapan": _fmt(serapan, 2, locale),
                "serapan_value": None if serapan is None else round_half_up(serapan),
                "rasio": _fmt(rasio_shown, 2, locale),
                "rasio_value": rasio_shown,
                "sisa": fmt_rupiah(pagu - real, locale) if mine else MISSING,
                "sisa_value": pagu - real if mine else None,
                "keterangan": keterangan,
                "dukungan": dukungan,
                "tanpa_program": "" if mine else labels["tanpa_program"],
            }
        )
    return out


def _renstra(vm: Mapping[str, Any], pk: Mapping[str, Any]) -> tuple[RenstraView, list[RenstraRow]]:
    """Bab II: the Renstra's period, visi, misi, tujuan (PK `renstra`) and per sasaran its indicators with this
    year's and the end Renstra target."""
    locale, tahun = vm["locale"], int(vm["tahun"])
    r: Mapping[str, Any] = pk.get("renstra") or {}
    awal, akhir = r.get("tahun_awal"), r.get("tahun_akhir")
    view: RenstraView = {
        "ada": bool(r),
        "periode": f"{awal}–{akhir}" if awal and akhir else "",
        "visi": str(r.get("visi") or ""),
        "misi": [str(m) for m in r.get("misi") or []],
        "tujuan": [f"{t.get('kode', '')} {t.get('nama', '')}".strip() for t in r.get("tujuan") or []],
    }
    rows: list[RenstraRow] = []
    for s in pk.get("sasaran", []):
        inds = list(s.get("indikator", []))
        for k, ind in enumerate(inds):
            places = decimals_of(ind)
            plan = list(ind.get("target_renstra") or [])
            end = renstra_end(ind, int(akhir or 0))
            rows.append(
                {
                    "no": len(rows) + 1,
                    "sasaran_nama": s.get("nama", s["kode"]),
                    "sasaran_first": k == 0,
                    "sasaran_span": len(inds) if k == 0 else 0,
                    "kode": ind["kode"],
                    "nama": ind.get("nama", ind["kode"]),
                    "satuan": ind.get("satuan", ""),
                    "target_tahun": _fmt_target(_year_target(plan, tahun), places, locale),
                    "target_akhir": _fmt_target(end, places, locale),
                }
            )
    return view, rows


def _renstra_picture(vm: Mapping[str, Any], pk: Mapping[str, Any]) -> str:
    """The Renstra in one sentence (Ringkasan Eksekutif, Bab IV): in the Renstra's last year how many indicators
    reached its end target, before it how many are on track (this year's Renstra target met), naming the others."""
    labels, locale, tahun = vm["labels"], vm["locale"], int(vm["tahun"])
    r: Mapping[str, Any] = pk.get("renstra") or {}
    akhir = int(r.get("tahun_akhir") or 0)
    pk_ind = {i["kode"]: i for s in pk.get("sasaran", []) for i in s.get("indikator", [])}
    last_year = akhir == tahun
    reached, missed = 0, []
    for row in vm["rows"]:
        ind = pk_ind.get(row["kode"]) or {}
        polaritas = str(ind.get("polaritas") or "positif")
        goal = renstra_end(ind, akhir) if last_year else _year_target(list(ind.get("target_renstra") or []), tahun)
        cap = capaian_of(polaritas, row["realisasi_value"], goal)
        if cap is None:
            continue
        if cap >= _HUNDRED:
            reached += 1
        else:
            missed.append(f"{row['kode']} ({_fmt(round_half_up(cap), 2, locale)}%)")
    if not reached and not missed:
        return ""
    belum = labels["renstra_belum"].format(daftar=", ".join(missed)) if missed else ""
    periode = f"{r.get('tahun_awal')}–{akhir}" if r.get("tahun_awal") and akhir else ""
    key = "renstra_akhir_capai" if last_year else "renstra_jalur"
    return str(labels[key].format(tahun=tahun, periode=periode, akhir=akhir or MISSING, n_capai=reached,
                                  n_renstra=reached + len(missed), belum=belum))  # fmt: skip


def _below_target(vm: Mapping[str, Any], rekap: Mapping[str, Any]) -> str:
    """The indicators below this year's target, each with its main cause: the latest `penyebab` a unit gave for it
    (the recap's `analisis`), else its latest `kendala`."""
    labels, rows = vm["labels"], vm["rows"]
    below = [r for r in rows if r["capaian_value"] is not None and r["capaian_value"] < _HUNDRED]
    if not below:
        return ""
    items = []
    for row in below:
        said = [a for a in rekap.get("analisis") or [] if a.get("indikator") == row["kode"]]
        said.sort(key=lambda a: int(a.get("triwulan") or 0))
        cause = next((str(a[k]).strip().rstrip(".") for k in ("penyebab", "kendala") for a in reversed(said)
                      if str(a.get(k) or "").strip()), "")  # fmt: skip
        why = f"{labels['penyebab_utama']}: {cause}" if cause else labels["penyebab_belum_ada"]
        items.append(f"{row['kode']} {row['nama']} ({row['capaian']}%; {why})")
    return str(labels["belum_target"].format(daftar="; ".join(items)))


def _konsistensi(
    vm: Mapping[str, Any], rekap: Mapping[str, Any], quarters: Mapping[int, Mapping[str, Any]]
) -> list[str]:
    """Bab III's Catatan Konsistensi Data: shared.sakip.checks.consistency of the recap against the quarters' recaps,
    each difference with its reason where one is known — a TW IV year-to-date capaian measured against a target
    made of the quarterly targets (the system knows it), else the units' analysis of the indicator."""
    labels, locale = vm["labels"], vm["locale"]
    rows = {r["kode"]: r for r in vm["rows"]}
    tw4 = {r.get("kode"): r for r in (quarters.get(4) or {}).get("indikator") or []}
    out: list[str] = []
    for f in consistency(rekap, quarters):
        kode, values = f["indikator"], f["values"]
        row = rows.get(kode)
        places = row["desimal"] if row else 2

        satuan = row["satuan"] if row else ""

        def pct(key: str, _v: Mapping[str, str] = values) -> str:
            return f"{_fmt(_dec(_v.get(key)), 2, locale)}%"

        def num(key: str, _v: Mapping[str, str] = values, _p: int = places, _s: str = satuan) -> str:
            return _with_unit(_fmt(_dec(_v.get(key)), _p, locale), _s)

        reason = ""
        if f["rule"] == "serapan_anggaran" and row:
            text = labels["ks_serapan"].format(kode=kode, nama=row["nama"], realisasi=num("realisasi"),
                                               serapan=pct("serapan_kumulatif"))  # fmt: skip
        elif f["rule"] == "tw4_tahunan" and row:
            parts = []
            if "realisasi_tahunan" in values:
                parts.append(labels["ks_tw4_realisasi"].format(tahunan=num("realisasi_tahunan"),
                                                               sd=num("realisasi_sd_tw4")))  # fmt: skip
            if "capaian_tahunan" in values:
                parts.append(labels["ks_tw4_capaian"].format(tahunan=pct("capaian_tahunan"), sd=pct("capaian_sd_tw4")))
            text = f"{kode} {row['nama']}: " + "; ".join(parts) + "."
            q = tw4.get(kode) or {}
            sd_target, annual = q.get("target_sd"), _rekap_target(rekap, kode)
            if "capaian_tahunan" in values and sd_target and annual and sd_target != annual:
                cara = labels.get(f"ks_cara_{q.get('agregasi') or 'rata_rata'}", labels["ks_cara_rata_rata"])
                reason = labels["ks_tw4_target"].format(
                    cara=cara, sd=_recap_target_text(sd_target, places, locale),
                    tahunan=_recap_target_text(annual, places, locale),
                )  # fmt: skip
        else:
            text = f["message_en"] if locale == "en" else f["message_id"]
        if not reason:
            said = [a for a in rekap.get("analisis") or [] if a.get("indikator") == kode]
            reason = "; ".join(str(a[k]).strip().rstrip(".") for a in said for k in ("penyebab",) if a.get(k))
        out.append(
            f"{text} " + (labels["ks_alasan"].format(alasan=reason + ".") if reason else labels["ks_alasan_belum"])
        )
    return out


def _rekap_target(rekap: Mapping[str, Any], kode: str) -> str | None:
    """An indicator's target as the recap writes it."""
    return next((r.get("target") for r in rekap.get("indikator") or [] if r.get("kode") == kode), None)


def _recap_target_text(raw: str, places: int, locale: str) -> str:
    """A recap's target text ("83.00", a range "90.00-100.00") as people read it."""
    cut = raw.find("-", 1)
    if cut > 0:
        return _fmt_target((Decimal(raw[:cut]), Decimal(raw[cut + 1 :])), places, locale)
    return _fmt(_dec(raw), places, locale)


def _kata_pengantar_ttd(vm: Mapping[str, Any], pk: Mapping[str, Any], kota: str) -> dict[str, str]:
    """Who signs the Kata Pengantar: the report's signatory once it is signed (viewmodel.signatory_block), else, on a
    draft, the head of the office the PK names, dated the day it was printed."""
    kepala: Mapping[str, Any] = vm.get("kepala") or {}
    if kepala.get("signed"):
        return {"tempat_tanggal": str(kepala.get("tempat_tanggal") or ""), "jabatan": str(kepala.get("jabatan") or ""),
                "nama": str(kepala.get("nama") or "")}  # fmt: skip
    head: Mapping[str, Any] = (pk.get("instansi") or {}).get("kepala") or {}
    jabatan = head.get("jabatan") or (f"Kepala {vm['instansi']}" if vm.get("instansi") else "")
    tanggal = str(vm.get("generated_on_label") or "")
    return {"tempat_tanggal": f"{kota}, {tanggal}" if kota else tanggal, "jabatan": str(jabatan),
            "nama": str(head.get("nama") or "")}  # fmt: skip


def _skala(locale: str) -> list[SkalaRow]:
    """The predikat bands the aggregator reads (shared.sakip DEFAULT_PREDIKAT_BANDS), highest first."""
    rows: list[SkalaRow] = []
    upper: Decimal | None = None
    for lower, name in DEFAULT_PREDIKAT_BANDS:
        if lower.is_infinite():
            text = f"< {_fmt(upper, 2, locale)}"
        elif upper is None:
            text = f"≥ {_fmt(lower, 2, locale)}"
        else:
            text = f"{_fmt(lower, 2, locale)} – {_fmt(upper - Decimal('0.01'), 2, locale)}"
        rows.append({"rentang": text, "predikat": predikat_label(name, locale, name)})
        upper = lower
    return rows


def annual_parts(
    vm: Mapping[str, Any],
    rekap: Mapping[str, Any],
    pk: Mapping[str, Any] | None,
    units: Mapping[str, str],
    office: Mapping[str, Any],
    quarters: Mapping[int, Mapping[str, Any]] | None = None,
    tindak_lanjut: Sequence[Mapping[str, Any]] = (),
) -> LkipParts:
    """The LKIP's own parts (see the module's doc). `office`: the office's text block entries this reads
    (`kata_pengantar`, `sdm`, `kota`, filled in); `units`: the PK's unit names by code; `tindak_lanjut`: the
    year's follow-ups known at the document's moment (tindaklanjut.known_at)."""
    pk = pk or {}
    locale, labels, tahun = vm["locale"], vm["labels"], int(vm["tahun"])
    cap = Captions(labels)
    sdm: Mapping[str, Any] = office.get("sdm") or {}
    golongan = _sdm_rows(sdm.get("golongan") or [], locale)
    pendidikan = _sdm_rows(sdm.get("pendidikan") or [], locale)
    total = golongan[-1]["jumlah"] if golongan else MISSING
    judul_tabel = dict.fromkeys(_TABLE_KEYS, "")
    judul_grafik = dict.fromkeys(("capaian", "tren"), "")
    if golongan:
        judul_tabel["sdm_golongan"] = cap.add("tabel", 1, "sdm_golongan", labels["sdm_golongan"])
    if pendidikan:
        judul_tabel["sdm_pendidikan"] = cap.add("tabel", 1, "sdm_pendidikan", labels["sdm_pendidikan"])
    renstra, renstra_rows = _renstra(vm, pk)
    judul_tabel["renstra"] = cap.add("tabel", 2, "renstra", labels["renstra_tabel"])
    judul_tabel["pk"] = cap.add("tabel", 2, "pk", f"{labels['pk_tabel']} {tahun}")
    if vm.get("program"):
        judul_tabel["program"] = cap.add("tabel", 2, "program", labels["program_tabel"])
    judul_tabel["skala"] = cap.add("tabel", 3, "skala", labels["skala_predikat"])
    judul_tabel["rumus"] = cap.add("tabel", 3, "rumus", labels["rumus_tabel"])
    judul_tabel["capaian"] = cap.add("tabel", 3, "capaian", f"{labels['per_indikator']} {vm['periode_label']}")
    judul_grafik["capaian"] = cap.add("grafik", 3, "capaian", labels["grafik"])
    judul_grafik["tren"] = cap.add("grafik", 3, "tren", labels["grafik_tren"])
    judul_tabel["perbandingan"] = cap.add("tabel", 3, "perbandingan", labels["perbandingan"])
    judul_tabel["seri"] = cap.add("tabel", 3, "seri", labels["seri_tabel"])
    analisis = _analisis(vm, rekap, pk, units)
    for a in analisis:
        a["grafik_kunci"] = f"seri-{a['no']}"
        a["grafik_judul"] = cap.add("grafik", 3, a["grafik_kunci"], a["grafik_judul"])
    recaps = {**{f"TW{q}": r for q, r in (quarters or {}).items()}, "TAHUNAN": rekap}
    tl_rows, tl_intro, tl_belum = _tindak_lanjut(vm, tindak_lanjut, units, recaps)
    for a in analisis:  # the analysis of an indicator names its follow-ups
        mine = [r for r in tl_rows if a["kode"] in r["kode_indikator"]]
        if mine:
            a["paragraf"] = f"{a['paragraf']} {_tl_sentence(mine, labels)}"
    if tl_rows:  # Bab III, after the analysis per indicator (docs/reports.md says why there)
        judul_tabel["tindak_lanjut"] = cap.add("tabel", 3, "tindak_lanjut", labels["tl_tabel"].format(tahun=tahun))
    if vm.get("catatan"):
        judul_tabel["catatan"] = cap.add("tabel", 3, "catatan", labels["catatan_umum"])
    if vm.get("anggaran"):
        judul_tabel["anggaran"] = cap.add("tabel", 3, "anggaran", labels["anggaran"])
    judul_tabel["efisiensi"] = cap.add("tabel", 3, "efisiensi", labels["efisiensi"])
    kota = str(office.get("kota") or "")
    ttd = pk_ttd(pk, kota, locale)
    pk_intro = ""
    if ttd["tanggal"] and ttd["pertama_nama"] and ttd["kedua_nama"]:
        pk_intro = labels["pk_intro"].format(
            tahun=tahun, tanggal=ttd["tanggal"], pertama=f"{ttd['pertama_nama']} ({ttd['pertama_jabatan']})",
            kedua=f"{ttd['kedua_nama']} ({ttd['kedua_jabatan']})",
        )  # fmt: skip
    picture = [t for t in (_renstra_picture(vm, pk), _below_target(vm, rekap)) if t]
    ringkasan = list(vm.get("ringkasan") or [])
    penutup = list(vm.get("penutup") or [])
    return {
        "ringkasan": [*ringkasan[:2], *picture, *ringkasan[2:]],
        "penutup": [*penutup[:1], *picture, *penutup[1:]],
        "konsistensi_tahunan": _konsistensi(vm, rekap, quarters or {}),
        "kata_pengantar_ttd": _kata_pengantar_ttd(vm, pk, kota),
        "kata_pengantar": [str(t) for t in office.get("kata_pengantar") or []],
        "judul_tabel": judul_tabel,
        "judul_grafik": judul_grafik,
        "daftar_tabel": cap.lists["tabel"],
        "daftar_grafik": cap.lists["grafik"],
        "sdm_intro": labels["sdm_intro"].format(
            instansi=vm["instansi"], keadaan=sdm.get("keadaan") or MISSING, total=total
        )
        if golongan
        else "",  # fmt: skip
        "sdm_golongan": golongan,
        "sdm_pendidikan": pendidikan,
        "struktur_intro": labels["struktur_intro"].format(instansi=vm["instansi"]),
        "renstra": renstra,
        "renstra_rows": renstra_rows,
        "pk_intro": pk_intro,
        "skala_predikat": _skala(locale),
        "rumus_capaian": [
            {"polaritas": labels["pol_positif"], "rumus": labels["rumus_positif"]},
            {"polaritas": labels["pol_negatif"], "rumus": labels["rumus_negatif"]},
            {"polaritas": labels["pol_rentang"], "rumus": labels["rumus_rentang"]},
        ],
        "tahun_seri": [str(y) for y in range(tahun - SERIES_YEARS + 1, tahun + 1)],
        "kolom_target_renstra": labels["target_renstra_tahun"].format(tahun=tahun),
        "analisis_indikator": analisis,
        "efisiensi": _efisiensi(vm, rekap, pk),
        "pk_ttd": ttd,
        "tindak_lanjut": tl_rows,
        "tindak_lanjut_intro": tl_intro,
        "tindak_lanjut_belum": tl_belum,
    }


_TABLE_KEYS = (
    *("sdm_golongan", "sdm_pendidikan", "renstra", "pk", "program", "skala", "rumus", "capaian", "perbandingan"),
    *("seri", "tindak_lanjut", "catatan", "anggaran", "efisiensi"),
)
