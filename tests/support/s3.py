"""A real S3-compatible HTTP server for the S3 file store's tests: moto's S3 server (`python -m moto.server`) as a
separate process on a free port, spoken to over HTTP like MinIO would be. Not AWS, not MinIO: docs/storage.md says so.

moto checks nothing by default; here it is started with INITIAL_NO_AUTH_ACTION_COUNT, so after the few set-up calls
(an IAM user, its policy, its access key) it verifies every request's SigV4 signature with the user's secret and
refuses a wrong one: a signer that got anything wrong fails the tests. The set-up uses boto3 (moto's own dependency)
as a plain HTTP client of that server, never moto's in-process mocks."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.support.redis_server import free_port

SETUP_CALLS = 3  # create_user, put_user_policy, create_access_key: after them every request must be signed right
REGION = "us-east-1"


@dataclass
class S3Server:
    url: str
    access_key: str
    secret_key: str
    log: Path

    def client(self) -> Any:
        """A boto3 client of the server with the test user's key: the test's own look at the bucket."""
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key)  # fmt: skip

    def new_bucket(self) -> str:
        name = f"lapkin-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "") -> dict[str, Any]:
        """The same as Settings fields, for `settings.model_copy(update=...)` of an in-process app."""
        fields: dict[str, Any] = {k.removeprefix("LAPKIN_").lower(): v for k, v in self.env(bucket, prefix).items()}
        return {**fields, "s3_secret_key": SecretStr(self.secret_key)}

    def env(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The settings that point the services at `bucket` of this server."""
        return {
            "LAPKIN_FILE_STORE": "s3",
            "LAPKIN_S3_ENDPOINT_URL": self.url,
            "LAPKIN_S3_BUCKET": bucket,
            "LAPKIN_S3_REGION": REGION,
            "LAPKIN_S3_ACCESS_KEY": self.access_key,
            "LAPKIN_S3_SECRET_KEY": self.secret_key,
            "LAPKIN_S3_PREFIX": prefix,
        }


def _set_up_user(url: str) -> tuple[str, str]:
    import boto3

    iam = boto3.client("iam", endpoint_url=url, region_name=REGION, aws_access_key_id="setup",
                       aws_secret_access_key="setup")  # fmt: skip
    iam.create_user(UserName="lapkin")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="lapkin", PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="lapkin")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def start_s3_server(log: Path, timeout: float = 60.0) -> tuple[subprocess.Popen[bytes], S3Server]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_CALLS), "MOTO_ALLOW_NONEXISTENT_REGION": "false"}
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                                stdout=out, stderr=out, stdin=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/moto-api/", timeout=1).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"moto server did not answer on {url} within {timeout} s")
        time.sleep(0.1)
    access_key, secret_key = _set_up_user(url)
    return proc, S3Server(url, access_key, secret_key, log)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.fail("moto[server] is a dev dependency: `make install`")
    proc, server = start_s3_server(tmp_path_factory.mktemp("s3") / "moto.log")
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
