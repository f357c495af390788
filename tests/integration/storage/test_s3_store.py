"""The S3 file store (shared/storage.py `S3Store`, shared/s3.py) against a real S3-compatible server process over HTTP:
moto's S3 server, which here verifies every request's signature (tests/support/s3.py). Not AWS, not MinIO
(docs/storage.md). Content-addressed and idempotent, checked on every read: a damaged or missing object is a
FileMissing naming it (the routes' 404), an outage or refused credentials an S3Error, never a file."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from services.renderer.models import FILES
from shared.config import Settings
from shared.s3 import S3Bucket, S3Error
from shared.storage import FileMissing, LocalStore, S3Store, open_store, probe_store, s3_config, store_unavailable
from tests.support.s3 import S3Server

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40
SHA = hashlib.sha256(PDF).hexdigest()


def settings_for(env: dict[str, str], **changed: str) -> Settings:
    given = {k.removeprefix("LAPKIN_").lower(): v for k, v in env.items()}
    return Settings(**{**given, **changed})


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()


def store_of(s3_server: S3Server, bucket: str, tmp_path: Path, prefix: str = "kantor/") -> S3Store:
    settings = settings_for(s3_server.env(bucket, prefix))
    store = open_store(settings, create_engine("sqlite://"), FILES, tmp_path / "by-sha")
    assert isinstance(store, S3Store) and store.shared
    return store


def keys(s3_server: S3Server, bucket: str) -> list[str]:
    listed = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_a_file_is_put_once_by_its_sha256_and_read_back(s3_server: S3Server, bucket: str, tmp_path: Path):
    store = store_of(s3_server, bucket, tmp_path)
    assert not store.exists(SHA)
    assert store.put(PDF) == SHA and store.put(PDF) == SHA
    assert keys(s3_server, bucket) == [f"kantor/ren_file/{SHA}"]  # the prefix, the service's folder, the SHA-256
    assert store.exists(SHA) and store.get(SHA) == PDF and store.path(SHA) is None
    staged = tmp_path / "upload-1"
    staged.write_bytes(b"an evidence file")
    other = hashlib.sha256(b"an evidence file").hexdigest()
    store.put_file(staged, other)
    assert not staged.exists() and store.get(other) == b"an evidence file"
    staged.write_bytes(b"not what it claims")
    with pytest.raises(ValueError, match="does not hold the file"):
        store.put_file(staged, SHA)
    assert staged.exists()


def test_a_tampered_or_missing_object_is_file_missing(s3_server: S3Server, bucket: str, tmp_path: Path):
    store = store_of(s3_server, bucket, tmp_path)
    sha = store.put(b"a document that will be damaged")
    s3_server.client().put_object(Bucket=bucket, Key=f"kantor/ren_file/{sha}", Body=b"damaged")  # behind our back
    with pytest.raises(FileMissing, match=f"file {sha} does not match its SHA-256 in s3://{bucket}/kantor/ren_file/"):
        store.get(sha)
    s3_server.client().delete_object(Bucket=bucket, Key=f"kantor/ren_file/{sha}")
    assert not store.exists(sha)
    with pytest.raises(FileMissing, match=f"file {sha} is missing in s3://{bucket}/kantor/ren_file/{sha}") as caught:
        store.get(sha)
    assert not caught.value.corrupt


def test_files_kept_locally_before_the_switch_are_still_read(s3_server: S3Server, bucket: str, tmp_path: Path):
    before = LocalStore(tmp_path / "by-sha").put(b"kept before the switch")
    store = store_of(s3_server, bucket, tmp_path)
    assert store.exists(before) and store.get(before) == b"kept before the switch"
    assert keys(s3_server, bucket) == []


def test_a_wrong_secret_or_bucket_is_an_outage_not_a_missing_file(s3_server: S3Server, bucket: str, tmp_path: Path):
    """The server checks signatures (a signer that were wrong would fail every test here) and the store says so."""
    store_of(s3_server, bucket, tmp_path).put(PDF)
    wrong = settings_for(s3_server.env(bucket, "kantor/"), s3_secret_key="not-the-secret")
    store = open_store(wrong, create_engine("sqlite://"), FILES, tmp_path / "none")
    with pytest.raises(S3Error, match="HTTP 403 SignatureDoesNotMatch") as caught:
        store.get(SHA)
    assert "not-the-secret" not in str(caught.value)
    absent = open_store(settings_for(s3_server.env("no-such-bucket")), create_engine("sqlite://"), FILES, tmp_path)
    with pytest.raises(S3Error, match="HTTP 404 NoSuchBucket"):
        absent.get(SHA)
    with pytest.raises(S3Error, match="HTTP 404 NoSuchBucket"):
        absent.put(PDF)
    unreachable = settings_for(s3_server.env(bucket), s3_endpoint_url="http://127.0.0.1:9")
    with pytest.raises(S3Error, match="ConnectError") as away:
        open_store(unreachable, create_engine("sqlite://"), FILES, tmp_path).get(SHA)
    # each says, in both languages, which setting to look at; and each is an outage the renderer waits out (a draft
    # stays pending until the setting is mended) rather than a failure it gives up after max_deliveries
    assert "periksa LAPKIN_S3_ENDPOINT_URL / cannot be reached, check LAPKIN_S3_ENDPOINT_URL" in str(away.value)
    with pytest.raises(S3Error) as no_bucket:
        absent.put(PDF)
    assert "bucket tidak ada / no such bucket (LAPKIN_S3_BUCKET)" in str(no_bucket.value)
    assert "LAPKIN_S3_SECRET_KEY" in str(caught.value)
    assert all(store_unavailable(e.value) for e in (caught, no_bucket, away))


def test_a_hung_store_is_given_up_after_the_read_timeout(s3_server: S3Server, bucket: str, tmp_path: Path):
    """A store that accepts the connection and never answers: S3Error (a 503) once LAPKIN_S3_READ_TIMEOUT_S passes,
    not a request held for as long as the server likes. The defaults are connect 3 s, read 15 s."""
    defaults = settings_for(s3_server.env(bucket))
    assert (defaults.s3_connect_timeout_s, defaults.s3_read_timeout_s) == (3.0, 15.0)
    assert S3Bucket(s3_config(defaults)).client.timeout == httpx.Timeout(15.0, connect=3.0)
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # connections are accepted by the kernel, and never answered
        port = hung.getsockname()[1]
        settings = settings_for(s3_server.env(bucket), s3_endpoint_url=f"http://127.0.0.1:{port}",
                                s3_read_timeout_s="0.2")  # fmt: skip
        store = open_store(settings, create_engine("sqlite://"), FILES, tmp_path)
        with pytest.raises(S3Error, match="ReadTimeout"):
            store.get(SHA)
        assert probe_store(settings) is not None and "ReadTimeout" in (probe_store(settings) or "")


def test_the_probe_says_whether_the_bucket_answers(s3_server: S3Server, bucket: str):
    assert probe_store(settings_for(s3_server.env(bucket))) is None
    assert "no such bucket" in (probe_store(settings_for(s3_server.env("no-such-bucket"))) or "")
    wrong = probe_store(settings_for(s3_server.env(bucket), s3_secret_key="not-the-secret")) or ""
    assert "HTTP 403" in wrong and "not-the-secret" not in wrong


def test_a_refusal_says_it_is_the_credentials_even_without_a_body(s3_server: S3Server, bucket: str, tmp_path: Path):
    """A HEAD answer has no body, so no S3 error code: a 403 still says what to check."""
    wrong = settings_for(s3_server.env(bucket, "kantor/"), s3_secret_key="not-the-secret")
    store = open_store(wrong, create_engine("sqlite://"), FILES, tmp_path / "none")
    for call in (lambda: store.exists(SHA), lambda: store.get(SHA), lambda: probe_store(wrong) and store.exists(SHA)):
        with pytest.raises(S3Error) as caught:
            call()
        said = str(caught.value)
        assert "HTTP 403" in said and "LAPKIN_S3_ACCESS_KEY / LAPKIN_S3_SECRET_KEY" in said, said
        assert "bucket policy" in said and "kebijakan bucket" in said and "not-the-secret" not in said
    assert "LAPKIN_S3_SECRET_KEY" in (probe_store(wrong) or "")


def test_an_outage_serves_a_copy_this_machine_still_has(
    s3_server: S3Server, bucket: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """A bucket away or refusing (outage, wrong secret) does not take a file this machine still keeps in its data
    folder with it (checked against its SHA-256 there too, and logged); a file it has not, or has damaged, is still
    the outage."""
    kept = LocalStore(tmp_path / "by-sha").put(b"a final drawn on this machine")
    refused = open_store(settings_for(s3_server.env(bucket), s3_secret_key="not-the-secret"), create_engine("sqlite://"),
                         FILES, tmp_path / "by-sha")  # fmt: skip
    away = open_store(settings_for(s3_server.env(bucket), s3_endpoint_url="http://127.0.0.1:9"),
                      create_engine("sqlite://"), FILES, tmp_path / "by-sha")  # fmt: skip
    for store in (refused, away):
        with caplog.at_level("WARNING", logger="lapkin.storage"):
            assert store.get(kept) == b"a final drawn on this machine"
        assert "S3 unavailable" in caplog.text and "served from local" in caplog.text
        with pytest.raises(S3Error):
            store.get(SHA)  # not on this machine: the outage, as before (a 503, never a 404)
    damaged = tmp_path / "by-sha" / kept[:2] / kept
    damaged.chmod(0o600)
    damaged.write_bytes(b"changed on disk")
    with pytest.raises(S3Error):  # damaged here, perhaps whole in the bucket: the outage, not "damaged"
        away.get(kept)
