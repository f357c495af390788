"""Issue 12, item 1: any figure the collector's validation accepts, the aggregator computes with. A PK and its
reports are generated up to the bounds of shared.decimals (their edges drawn often); what the collector's own
validation accepts goes through the aggregator's recap of every period, its programme budget and its monthly trend,
which must finish without an error. Before issue 12 a 41-digit count passed the first step and failed the second."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from services.aggregator.domain import PERIODES, round2
from services.aggregator.handlers import ParsedPk, Year, compute_from, responsible
from services.aggregator.models import AggInput
from services.aggregator.rekap import parse_pk
from services.aggregator.tren import build_tren
from services.collector.validation import (
    AGREGASI,
    POLARITAS,
    Problems,
    indikator_index,
    read_number,
    validate_pk,
    validate_realisasi,
)
from shared.decimals import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, NotADecimal, read_decimal
from shared.strictjson import JsonNumber

# Figures up to the bounds, their edges drawn often: the largest, the smallest nonzero, zero. Beyond the bounds the
# collector refuses (test_an_accepted_figure_is_within_the_bounds), so within them is all the aggregator gets.
WHOLE = st.one_of(
    st.sampled_from(["0", "1", "9" * MAX_INTEGER_DIGITS, "1" + "0" * (MAX_INTEGER_DIGITS - 1)]),
    st.from_regex(rf"[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}}", fullmatch=True),
)
FRACTION = st.one_of(
    st.sampled_from(["0" * (MAX_DECIMAL_PLACES - 1) + "1", "9" * MAX_DECIMAL_PLACES, "5"]),
    st.from_regex(rf"[0-9]{{1,{MAX_DECIMAL_PLACES}}}", fullmatch=True),
)
TEXT = st.builds(lambda w, f: w if f is None else f"{w}.{f}", WHOLE, st.one_of(st.none(), FRACTION))
# as the collector receives them: decimal strings, JSON integers, JSON numbers with a fraction (by their text)
FIGURE = st.one_of(
    TEXT,
    st.builds(lambda w, f: JsonNumber(f"{w}.{f}"), WHOLE, FRACTION),
    st.integers(0, 10**MAX_INTEGER_DIGITS - 1),
)


def _value(figure: Any) -> Decimal:
    try:
        return read_decimal(figure)
    except NotADecimal:
        return Decimal(0)


RANGE = st.lists(FIGURE, min_size=2, max_size=2).map(lambda pair: sorted(pair, key=_value))


@st.composite
def indikator(draw: st.DrawFn, n: int) -> dict[str, Any]:
    polaritas = draw(st.sampled_from(POLARITAS))
    ind: dict[str, Any] = {
        "kode": f"IK-{n}",
        "nama": f"Indikator {n}",
        "satuan": "orang",
        "polaritas": polaritas,
        "agregasi": draw(st.sampled_from(AGREGASI)),
        "penanggung_jawab": "U",
    }
    if polaritas == "rentang":
        ind["target_min"], ind["target_max"] = draw(RANGE)
        ind["target_triwulan"] = [draw(RANGE) for _ in range(4)]
    else:
        ind["target"] = draw(FIGURE)
        ind["target_triwulan"] = [draw(FIGURE) for _ in range(4)]
    return ind


@st.composite
def office(draw: st.DrawFn) -> dict[str, Any]:
    """A PK, the unit's quarterly and monthly values and its money: everything a recap and a trend read."""
    indicators = [draw(indikator(n)) for n in range(draw(st.integers(1, 3)))]
    pk = {
        "instansi": {"nama": "Dinas"},
        "units": [{"kode": "U", "nama": "Unit", "jenis": "bidang"}],
        "sasaran": [{"kode": "SS-1", "nama": "Sasaran", "indikator": indicators}],
        "program": [{"kode": "P-1", "nama": "Program", "sasaran": "SS-1", "pagu": draw(FIGURE), "unit": "U"}],
    }
    codes = [i["kode"] for i in indicators]
    quarters = {q: draw(st.dictionaries(st.sampled_from(codes), FIGURE)) for q in draw(st.sets(st.integers(1, 4)))}
    months = {m: draw(st.dictionaries(st.sampled_from(codes), FIGURE)) for m in draw(st.sets(st.integers(1, 12)))}
    money = {q: draw(FIGURE) for q in quarters}
    return {"pk": pk, "quarters": quarters, "months": months, "money": money}


def accepted(items: dict[str, Any], index: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The values the collector accepts from one report, as its event carries them (str of the Decimal it kept)."""
    p = Problems()
    good = validate_realisasi(p, [{"indikator": k, "nilai": v} for k, v in items.items()], "U", index)
    assume(not p)
    return {kode: str(nilai) for kode, nilai, _ in good}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(office())
def test_every_figure_the_collector_accepts_the_aggregator_computes(o: dict[str, Any]) -> None:
    assume(validate_pk(o["pk"], 2024) == [])
    pk = json.loads(json.dumps({**o["pk"], "tahun": 2024}))  # as PerjanjianKinerjaPublished carries it
    index = indikator_index(pk)
    inputs = []
    for q, items in o["quarters"].items():
        p = Problems()
        spent = read_number(p, o["money"][q], "anggaran.realisasi")
        assume(not p)
        values = accepted(items, index)
        inputs.append(AggInput(tahun=2024, triwulan=q, unit="U", revision=1, submission_id=f"s{q}",
                               values=json.dumps(values), anggaran_realisasi=str(spent)))  # fmt: skip
    monthly = {m: accepted(items, index) for m, items in o["months"].items()}

    parsed = ParsedPk(pk, *parse_pk(pk), responsible(pk))
    values: dict[str, dict[int, Decimal]] = {}
    for row in inputs:  # as handlers.load_year reads them
        for kode, nilai in json.loads(row.values).items():
            values.setdefault(kode, {})[row.triwulan] = Decimal(nilai)
    year = Year(2024, 1, pk, parsed.sasaran, parsed.indikator, inputs, values, {}, parsed.expected,
                {(r.triwulan, r.unit): set(json.loads(r.values)) for r in inputs})  # fmt: skip
    for periode in PERIODES:
        json.dumps(compute_from(year, periode)["rekap"])
    trend: dict[str, dict[int, Decimal]] = {}
    for m, held in monthly.items():
        for kode, nilai in held.items():
            trend.setdefault(kode, {})[m] = Decimal(nilai)
    build_tren(2024, 1, parsed.indikator, trend)


BEYOND = st.from_regex(r"-?[0-9]{1,18}(\.[0-9]{1,9})?", fullmatch=True)


@given(st.one_of(st.text(), BEYOND, st.integers(), st.floats(), st.decimals()))
def test_an_accepted_figure_is_within_the_bounds(value: Any) -> None:
    """What read_decimal takes is below 10^MAX_INTEGER_DIGITS with at most MAX_DECIMAL_PLACES places; anything it
    does not take is refused with a rule, never an error of another kind."""
    try:
        d = read_decimal(value)
    except NotADecimal as refused:
        assert refused.rule in ("not_a_number", "too_many_digits", "too_many_decimals")
        return
    assert abs(d) < Decimal(10) ** MAX_INTEGER_DIGITS
    assert d.as_tuple().exponent >= -MAX_DECIMAL_PLACES  # type: ignore[operator]


def test_a_figure_beyond_the_bounds_is_rounded_all_the_same() -> None:
    """Issue 12: round2 raised InvalidOperation for 41 digits, and the event was dead-lettered. A value that an
    earlier collector accepted (an event still in a stream) is counted too."""
    assert str(round2(Decimal("9" * 41))) == "9" * 41 + ".00"
    assert str(round2(Decimal("1e60"))) == "1" + "0" * 60 + ".00"
    assert str(round2(Decimal("99999999999999999999999999.995"))) == "1" + "0" * 26 + ".00"
