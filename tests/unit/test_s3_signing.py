"""The S3 store's SigV4 signer (shared/s3.py) signs exactly as botocore does (the reference: boto3 is installed with
the dev extras, as moto's dependency), for each request the store makes; and the S3 settings are refused at start,
one line naming each, never repeating the secret (shared/config.py, lapkin/settings.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from lapkin.cli import app
from shared.config import Settings
from shared.s3 import EMPTY_SHA256, S3Config, sign

NOW = datetime(2026, 12, 6, 23, 30, 5, tzinfo=UTC)
CONFIG = S3Config("http://127.0.0.1:9000", "lapkin-files", "ap-southeast-3", "AKIDEXAMPLE",
                  SecretStr("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "kantor/")  # fmt: skip
KEY = "kantor/ren_file/" + hashlib.sha256(b"x").hexdigest()


def botocore_signature(method: str, url: str, body: bytes, payload: str) -> str:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers={"X-Amz-Content-SHA256": payload})
    request.context["timestamp"] = NOW.strftime("%Y%m%dT%H%M%SZ")
    auth = S3SigV4Auth(Credentials(CONFIG.access_key, CONFIG.secret_key.get_secret_value()), "s3", CONFIG.region)
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    return auth.signature(auth.string_to_sign(request, canonical), request)


@pytest.mark.parametrize(
    ("method", "body", "url"),
    [
        ("PUT", b"%PDF a document", f"http://127.0.0.1:9000/lapkin-files/{KEY}"),
        ("GET", b"", f"http://127.0.0.1:9000/lapkin-files/{KEY}"),
        ("HEAD", b"", f"http://127.0.0.1:9000/lapkin-files/{KEY}"),
        ("GET", b"", "https://s3.ap-southeast-3.amazonaws.com/lapkin-files?list-type=2&prefix=kantor%2F"),
    ],
)
def test_the_signature_is_botocores(method: str, body: bytes, url: str):
    payload = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    request = httpx.Request(method, url, content=body)
    sign(request, CONFIG, payload, now=NOW)
    header = request.headers["authorization"]
    assert header.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/ap-southeast-3/s3/aws4_request, ")
    assert "SignedHeaders=host;x-amz-content-sha256;x-amz-date, " in header
    assert header.endswith(f"Signature={botocore_signature(method, url, body, payload)}")
    assert CONFIG.secret_key.get_secret_value() not in str(request.headers)


def s3_env(**given: str) -> dict[str, str]:
    return {"LAPKIN_FILE_STORE": "s3", **{f"LAPKIN_S3_{k.upper()}": v for k, v in given.items()}}


def test_the_s3_store_needs_its_settings():
    with pytest.raises(ValidationError) as caught:
        Settings(file_store="s3")
    assert {e["loc"][0] for e in caught.value.errors()} == {"s3_endpoint_url", "s3_bucket", "s3_access_key",
                                                             "s3_secret_key"}  # fmt: skip
    assert Settings(s3_bucket="").s3_bucket is None  # compose lists them empty: no value, and not needed for local
    done = Settings(file_store="s3", s3_endpoint_url="https://minio.kantor:9000/", s3_bucket="lapkin",
                    s3_access_key="lapkin", s3_secret_key="s3cr3t", s3_prefix="lkip")  # fmt: skip
    assert (done.s3_endpoint_url, done.s3_prefix, done.s3_region) == ("https://minio.kantor:9000", "lkip/", "us-east-1")
    assert "s3cr3t" not in repr(done) and "s3cr3t" not in str(done.model_dump())


def test_a_missing_s3_setting_is_one_line_naming_it_never_the_secret(tmp_path):
    env = s3_env(endpoint_url="http://127.0.0.1:9000", bucket="lapkin", secret_key="the-secret")
    done = CliRunner().invoke(app, ["files", "migrate"], env={**env, "LAPKIN_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2
    assert done.output.strip().splitlines() == [
        "Pengaturan tidak sah / invalid setting: LAPKIN_S3_ACCESS_KEY=None: "
        "wajib untuk LAPKIN_FILE_STORE=s3 / required with LAPKIN_FILE_STORE=s3"
    ]


@pytest.mark.parametrize(
    ("setting", "value", "rule"),
    [
        ("endpoint_url", "minio:9000", "an address such as http://minio:9000"),
        ("endpoint_url", "http://minio:9000/lapkin", "(no path)"),
        ("endpoint_url", "http://u:pw@minio:9000", "no credentials in the address, use LAPKIN_S3_ACCESS_KEY"),
        ("bucket", "Lapkin_Files", "an S3 bucket name"),
        ("region", "us east", "an S3 region"),
        ("prefix", "../lain", "a key prefix"),
        ("access_key", "two words", "without spaces"),
    ],
)
def test_a_bad_s3_setting_is_refused_naming_it(tmp_path, setting: str, value: str, rule: str):
    env = s3_env(endpoint_url="http://127.0.0.1:9000", bucket="lapkin", access_key="k", secret_key="the-secret")
    env[f"LAPKIN_S3_{setting.upper()}"] = value
    done = CliRunner().invoke(app, ["files", "migrate"], env={**env, "LAPKIN_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2, done.output
    (line,) = done.output.strip().splitlines()
    assert line.startswith(f"Pengaturan tidak sah / invalid setting: LAPKIN_S3_{setting.upper()}=") and rule in line
    assert "the-secret" not in done.output


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://AKIAEXAMPLE:wJalrXUtnFEMI@minio:9000",
        "http://AKIAEXAMPLE:wJalr/XUtnFEMI@minio:9000",  # a "/" in the secret: urlsplit sees a path, not user info
        "https://AKIAEXAMPLE:wJalrXUtnFEMI@minio:port",  # a port that is no number
        "http://AKIAEXAMPLE@minio:9000",
    ],
)
def test_credentials_in_the_endpoint_are_refused_and_never_repeated(tmp_path, endpoint: str):
    env = s3_env(endpoint_url=endpoint, bucket="lapkin", access_key="k", secret_key="the-secret")
    done = CliRunner().invoke(app, ["files", "migrate"], env={**env, "LAPKIN_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2, done.output
    (line,) = done.output.strip().splitlines()
    assert line.startswith("Pengaturan tidak sah / invalid setting: LAPKIN_S3_ENDPOINT_URL=")
    assert "LAPKIN_S3_ACCESS_KEY" in line and "LAPKIN_S3_SECRET_KEY" in line
    assert "AKIAEXAMPLE" not in line and "wJalr" not in line and "XUtnFEMI" not in line


def test_the_banner_names_the_store_never_the_secret(tmp_path):
    from shared.storage import describe_store

    fields = {k.removeprefix("LAPKIN_").lower(): v for k, v in s3_env(endpoint_url="http://minio:9000", bucket="lapkin",
              access_key="AKIAEXAMPLE", secret_key="the-secret").items()}  # fmt: skip
    said = describe_store(Settings(**fields, s3_prefix="kantor/", data_dir=tmp_path))
    assert said == "s3 http://minio:9000 bucket lapkin, prefix kantor/"
    assert describe_store(Settings(data_dir=tmp_path)) == f"local {tmp_path.resolve()}"


@pytest.mark.parametrize("value", ["databse", "", "ftp"])
def test_an_unknown_file_store_is_refused_in_both_languages(tmp_path, value: str):
    done = CliRunner().invoke(
        app, ["db", "current"], env={"LAPKIN_FILE_STORE": value, "LAPKIN_DATA_DIR": str(tmp_path)}
    )
    assert done.exit_code == 2, done.output
    (line,) = done.output.strip().splitlines()
    assert line == (
        f"Pengaturan tidak sah / invalid setting: LAPKIN_FILE_STORE={value!r}: salah satu dari local, database, s3 "
        "(docs/storage.md) / one of local, database, s3 (docs/storage.md)"
    )


def test_the_file_store_is_read_in_any_case():
    assert Settings(file_store=" S3 ", s3_endpoint_url="http://minio:9000", s3_bucket="lapkin", s3_access_key="k",
                    s3_secret_key="s").file_store == "s3"  # fmt: skip
    assert Settings(file_store="Local").file_store == "local"


def test_lapkin_up_refuses_a_database_store_on_sqlite_before_starting_anything(tmp_path):
    env = {"LAPKIN_FILE_STORE": "database", "DATABASE_URL": "", "LAPKIN_DATA_DIR": str(tmp_path)}
    done = CliRunner().invoke(app, ["up"], env=env)
    assert done.exit_code == 2, done.output
    assert "the database store needs DATABASE_URL to be PostgreSQL (LAPKIN_FILE_STORE=database" in done.output
    assert not (tmp_path / "logs").exists()  # no service was started
