"""Who may read the recap (outsider finding: a unit's API key on `GET /rekap` was answered 401, as if unknown). A
unit's key is known credentials, only not for this service: 403 naming why, in Indonesian and English; 401 stays for
no credentials or unknown ones."""

from __future__ import annotations

from typing import Any

from shared.security import issue_token
from tests.integration.aggregator.test_tren import publish_pk
from tests.integration.conftest import Service, auth, put_pk, unit_key

REKAP = "/api/v1/rekap/2024/TW1"


def test_a_units_real_key_on_the_recap_is_403_naming_why_and_unknown_credentials_401(
    collector: Service, aggregator: Service, pk: dict[str, Any]
) -> None:
    put_pk(collector, pk)  # the units a key is made for are the PK's
    publish_pk(aggregator, pk)  # as the collector's event (the two fixtures have streams of their own)
    key = unit_key(collector, "BPS")  # made by the collector, as an agency gets it
    for url in (REKAP, "/api/v1/tren/2024"):
        r = aggregator.client.get(url, headers=auth(key))
        assert r.status_code == 403, r.text
        [e] = r.json()["errors"]
        assert e["rule"] == "unit_key_not_allowed"
        assert "Kunci API unit" in e["message_id"] and "token pejabat" in e["message_id"]
        assert "unit's API key" in e["message_en"] and "an official's token" in e["message_en"]
    assert aggregator.client.get(REKAP).status_code == 401
    assert aggregator.client.get(REKAP, headers=auth("not-a-known-token")).status_code == 401
    official = issue_token(
        aggregator.settings.resolved_secret_key(), official_id=3, username="sari", role="kabid", unit=None, ttl_s=600
    )
    assert aggregator.client.get(REKAP, headers=auth(official)).status_code == 200
