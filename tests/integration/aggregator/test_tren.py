"""Aggregator: BulananSubmitted on the collector's stream → the monthly trend per indicator and its early warning
(GET /api/v1/tren/{tahun}); idempotent, newest revision wins, newest PK version, never a recap; in-process on real
Redis + database."""

from __future__ import annotations

import copy
from typing import Any

from sqlmodel import func, select

from services.aggregator.models import AggStale
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import ProcessedEvent
from shared.security import issue_token
from tests.integration.conftest import Service, eventually

URL = "/api/v1/tren/2024"


def publish_pk(svc: Service, pk: dict[str, Any], version: int = 1) -> None:
    env = new_envelope(
        "PerjanjianKinerjaPublished",
        ev.PerjanjianKinerjaPublished(tahun=2024, version=version, pk={**pk, "tahun": 2024}),
        producer="collector",
    )
    svc.publish(svc.stream("collector"), env)
    eventually(lambda: svc.client.get(URL, headers=svc.admin).json().get("pk_version") == version)


def bulanan(unit: str, bulan: int, revision: int, values: dict[str, str], anggaran: str | None = None) -> Envelope:
    payload = ev.BulananSubmitted(
        tahun=2024,
        bulan=bulan,
        unit=unit,
        submission_id=f"{unit}-{bulan}-{revision}",
        revision=revision,
        realisasi=[ev.NilaiItem(indikator=k, nilai=v) for k, v in sorted(values.items())],
        anggaran={"realisasi": anggaran} if anggaran is not None else None,
    )
    return new_envelope("BulananSubmitted", payload, producer="collector")


def feed(svc: Service, *envelopes: Envelope) -> None:
    """Publish and wait until the aggregator has processed each one (its idempotency record exists) and no year waits
    to be recomputed (a burst's recap comes once the recap window passed)."""
    for env in envelopes:
        svc.publish(svc.stream("collector"), env)
    ids = {env.event_id for env in envelopes}

    def done() -> bool:
        with svc.session() as s:
            seen = set(s.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == "aggregator")))
            stale = s.exec(select(AggStale)).first()
        return ids <= seen and stale is None

    eventually(done)


def tren(svc: Service) -> dict[str, dict[str, Any]]:
    r = svc.client.get(URL, headers=svc.admin)
    assert r.status_code == 200, r.text
    return {row["kode"]: row for row in r.json()["indikator"]}


def test_monthly_reports_make_a_trend_with_warning_levels(aggregator: Service, pk: dict[str, Any]) -> None:
    publish_pk(aggregator, pk)
    feed(
        aggregator,
        bulanan("BID-PENTA", 1, 1, {"IK-3.1": "9", "IK-3.2": "300"}),
        bulanan("BID-PENTA", 2, 1, {"IK-3.1": "9.5", "IK-3.2": "250"}),
        bulanan("BID-HI", 2, 1, {"IK-4.1": "82", "IK-4.2": "1"}),
    )
    rows = tren(aggregator)
    # IK-3.2 (positif, jumlah, TW1 target 1000): 300 + 250 = 550 → 550 / 2 × 3 = 825 → 82.50% → merah
    ik32 = rows["IK-3.2"]
    assert ik32["bulan"] == [{"bulan": 1, "nilai": "300.00"}, {"bulan": 2, "nilai": "250.00"}]
    assert (ik32["bulan_terakhir"], ik32["triwulan"]) == (2, 1)
    assert (ik32["realisasi_sd"], ik32["proyeksi"], ik32["target_sd"]) == ("550.00", "825.00", "1000.00")
    assert (ik32["capaian_proyeksi"], ik32["peringatan"], ik32["reason"]) == ("82.50", "merah", "di_bawah_target")
    assert ik32["message_id"] and ik32["message_en"]
    # IK-3.1 (positif, terakhir, TW1 target 10): latest 9.5 → 95.00% → kuning
    assert (rows["IK-3.1"]["capaian_proyeksi"], rows["IK-3.1"]["peringatan"]) == ("95.00", "kuning")
    # IK-4.2 (negatif, jumlah, 1 case per quarter): 1 / 2 × 3 = 1.5 cases → (2 − 1.5) / 1 = 50% → merah, above
    assert (rows["IK-4.2"]["proyeksi"], rows["IK-4.2"]["capaian_proyeksi"]) == ("1.50", "50.00")
    assert (rows["IK-4.2"]["peringatan"], rows["IK-4.2"]["reason"]) == ("merah", "di_atas_target")
    # IK-4.1 (rata_rata, target 80): 82 → 102.50% → no warning
    assert (rows["IK-4.1"]["capaian_proyeksi"], rows["IK-4.1"]["peringatan"], rows["IK-4.1"]["reason"]) == (
        "102.50",
        None,
        None,
    )
    # an indicator nobody reported monthly
    assert (rows["IKU-1"]["bulan"], rows["IKU-1"]["peringatan"], rows["IKU-1"]["reason"]) == (
        [],
        None,
        "belum_ada_data",
    )
    body = aggregator.client.get(URL, headers=aggregator.admin).json()
    assert body["ringkasan"] == {"merah": 2, "kuning": 1, "aman": 1, "tanpa_nilai": 5}
    assert [r["kode"] for r in body["indikator"]][:2] == ["IKU-1", "IK-2.1"]  # PK order


def test_the_newest_revision_wins_whatever_the_order_and_a_redelivery_changes_nothing(
    aggregator: Service, pk: dict[str, Any]
) -> None:
    publish_pk(aggregator, pk)
    first = bulanan("BID-PENTA", 2, 1, {"IK-3.2": "250"})
    feed(aggregator, bulanan("BID-PENTA", 1, 1, {"IK-3.2": "300"}), first)
    assert tren(aggregator)["IK-3.2"]["peringatan"] == "merah"
    feed(aggregator, bulanan("BID-PENTA", 2, 2, {"IK-3.2": "400", "IK-3.1": "10"}))
    # 300 + 400 = 700 → 1050 → 105% → no warning; IK-3.1 arrived with revision 2's snapshot
    row = tren(aggregator)["IK-3.2"]
    assert (row["realisasi_sd"], row["proyeksi"], row["peringatan"]) == ("700.00", "1050.00", None)
    assert tren(aggregator)["IK-3.1"]["bulan"] == [{"bulan": 2, "nilai": "10.00"}]
    # revision 1 again, as a late event of its own and as a redelivery of the same envelope: nothing changes
    feed(aggregator, bulanan("BID-PENTA", 2, 1, {"IK-3.2": "250"}))
    aggregator.publish(aggregator.stream("collector"), first)
    marker = bulanan("BID-HI", 1, 1, {"IK-4.1": "80"})
    feed(aggregator, marker)  # processed after the redelivery: one stream, one consumer
    assert tren(aggregator)["IK-3.2"]["realisasi_sd"] == "700.00"
    with aggregator.session() as s:
        count = s.exec(
            select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.event_id == first.event_id)
        ).one()
    assert count == 1


def test_monthly_reports_never_make_a_recap_revision(aggregator: Service, pk: dict[str, Any]) -> None:
    publish_pk(aggregator, pk)
    aggregator.wait_relayed()
    recaps = len(aggregator.outbox("RekapCompleted"))
    assert recaps == 7  # the PK made one revision per period
    feed(aggregator, bulanan("BID-PENTA", 1, 1, {"IK-3.1": "9", "IK-3.2": "300"}))
    assert len(aggregator.outbox("RekapCompleted")) == recaps
    rekap = aggregator.client.get("/api/v1/rekap/2024/TW1", headers=aggregator.admin).json()
    ik32 = next(r for r in rekap["indikator"] if r["kode"] == "IK-3.2")
    assert (ik32["realisasi"], ik32["reason"]) == (None, "belum_ada_data")
    assert rekap["revision"] == 1


def test_the_newest_pk_version_sets_the_targets(aggregator: Service, pk: dict[str, Any]) -> None:
    publish_pk(aggregator, pk)
    feed(aggregator, bulanan("BID-PENTA", 1, 1, {"IK-3.2": "300"}), bulanan("BID-PENTA", 2, 1, {"IK-3.2": "250"}))
    assert tren(aggregator)["IK-3.2"]["peringatan"] == "merah"
    revised = copy.deepcopy(pk)
    ik32 = revised["sasaran"][2]["indikator"][1]
    assert ik32["kode"] == "IK-3.2"
    ik32["target_triwulan"] = ["800", "1300", "1300", "1400"]
    publish_pk(aggregator, revised, version=2)
    # 825 against 800 → 103.13% → no warning
    row = tren(aggregator)["IK-3.2"]
    assert (row["target_sd"], row["capaian_proyeksi"], row["peringatan"]) == ("800.00", "103.13", None)


def test_tren_is_for_the_admin_and_officials_and_404_without_a_pk(aggregator: Service, pk: dict[str, Any]) -> None:
    assert aggregator.client.get(URL).status_code == 401
    r = aggregator.client.get(URL, headers={"Authorization": "Bearer lpk_unit-key"})
    assert r.status_code == 403 and r.json()["errors"][0]["rule"] == "unit_key_not_allowed"  # no unit key is allowed
    assert aggregator.client.get(URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    r = aggregator.client.get(URL, headers=aggregator.admin)
    assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "pk_not_found"
    publish_pk(aggregator, pk)
    token = issue_token(
        aggregator.settings.resolved_secret_key(),
        official_id=3,
        username="sari",
        role="kabid",
        unit=None,
        ttl_s=600,
    )
    r = aggregator.client.get(URL, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and len(r.json()["indikator"]) == 9


def test_the_monthly_anggaran_shows_per_programme_and_month(aggregator: Service, pk: dict[str, Any]) -> None:
    """Outsider check: a monthly `anggaran.realisasi` was acknowledged and shown nowhere. The trend lists it per
    programme (the unit that holds it) and month; the newest revision of a month wins."""
    publish_pk(aggregator, pk)
    feed(
        aggregator,
        bulanan("BID-HI", 11, 1, {"IK-4.1": "82"}, anggaran="5555"),
        bulanan("BID-HI", 12, 1, {"IK-4.1": "83"}, anggaran="4242"),
        bulanan("BID-HI", 12, 2, {"IK-4.1": "83"}, anggaran="4343.5"),
    )
    body = aggregator.client.get(URL, headers=aggregator.admin).json()
    by_prog = {p["kode"]: p for p in body["anggaran"]}
    assert by_prog["P-04"]["unit"] == "BID-HI"
    assert by_prog["P-04"]["bulan"] == [{"bulan": 11, "realisasi": "5555"}, {"bulan": 12, "realisasi": "4343.5"}]
    assert by_prog["P-01"]["bulan"] == []  # SEKRETARIAT sent no monthly anggaran
