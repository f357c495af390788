"""A bucket of an S3-compatible object store, spoken to over httpx with AWS Signature Version 4 (LAPKIN_FILE_STORE=s3,
shared/storage.py `S3Store`, docs/storage.md).

Why not boto3: the store needs three calls (PUT, GET, HEAD of one object), and SigV4 for them is a page of hashing
(AWS's "Signature Version 4 signing process"); boto3 with botocore would add ~35 MB of installed code, a second HTTP
stack (urllib3) and its own python-dateutil pin to every image for that. tests/unit/test_s3_signing.py checks this
signer against botocore's own, and the store's tests run against an S3 server process that verifies every signature
(moto's, tests/support/s3.py).

Path-style addressing (`<endpoint>/<bucket>/<key>`): what MinIO, Ceph, Garage and SeaweedFS answer, and AWS too.
The secret key is held as a SecretStr and never put in a message."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
from pydantic import SecretStr

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
NO_BUCKET = ": bucket tidak ada / no such bucket (LAPKIN_S3_BUCKET)"
PROBE_TIMEOUT_S = 3.0  # `probe`: a readiness look (`lapkin status`) waits at most this, whatever the read timeout


class S3Error(OSError):
    """The object store answered something other than the object or "no such key" (refused credentials, no such
    bucket, a server error), or could not be reached: an outage to report, not a missing file. `status`: the HTTP
    status it answered, None when it could not be reached; `code`: S3's error code when it said one, e.g.
    "NoSuchBucket" (shared.storage.store_unavailable)."""

    status: int | None = None
    code: str = ""


@dataclass(frozen=True)
class S3Config:
    endpoint_url: str  # e.g. http://minio:9000 (no trailing slash)
    bucket: str
    region: str
    access_key: str
    secret_key: SecretStr
    prefix: str = ""  # "" or ending in "/"
    # a store that does not answer makes each file request wait this long before its 503 (LAPKIN_S3_*_TIMEOUT_S):
    # connecting, and between two reads of an answer (a document is a few MiB, evidence at most 20 MiB)
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 15.0


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def sign(request: httpx.Request, config: S3Config, payload_sha256: str, now: datetime | None = None) -> None:
    """Add SigV4's headers to `request` (host, x-amz-date, x-amz-content-sha256 and Authorization signing them).
    The payload's SHA-256 is signed rather than UNSIGNED-PAYLOAD, so the server refuses a body changed on the way."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    request.headers["x-amz-date"] = stamp
    request.headers["x-amz-content-sha256"] = payload_sha256
    signed = {name: request.headers[name].strip() for name in ("host", "x-amz-content-sha256", "x-amz-date")}
    names = ";".join(sorted(signed))
    query = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in request.url.params.multi_items())
    canonical = "\n".join(
        [
            request.method,
            quote(request.url.path, safe="-_.~/"),  # S3: each segment encoded once, slashes kept
            "&".join(f"{k}={v}" for k, v in query),
            "".join(f"{name}:{signed[name]}\n" for name in sorted(signed)),
            names,
            payload_sha256,
        ]
    )
    scope = f"{stamp[:8]}/{config.region}/s3/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = signing_key(config.secret_key.get_secret_value(), stamp[:8], config.region)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    request.headers["authorization"] = (
        f"{ALGORITHM} Credential={config.access_key}/{scope}, SignedHeaders={names}, Signature={signature}"
    )


class S3Bucket:
    """One bucket: put, get and look for objects by key (keys made by the caller from SHA-256s: no user text)."""

    def __init__(self, config: S3Config, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.client = httpx.Client(
            timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s), transport=transport
        )

    def url(self, key: str) -> str:
        return f"{self.config.endpoint_url}/{self.config.bucket}/{self.config.prefix}{key}"

    def where(self, key: str) -> str:
        """The object's name for messages: s3://bucket/prefix/key (no endpoint credentials, no secret)."""
        return f"s3://{self.config.bucket}/{self.config.prefix}{key}"

    def _send(self, method: str, key: str, body: bytes = b"", body_sha256: str = EMPTY_SHA256) -> httpx.Response:
        return self._send_to(method, self.url(key), self.where(key), body, body_sha256)

    def _send_to(
        self,
        method: str,
        url: str,
        where: str,
        body: bytes = b"",
        body_sha256: str = EMPTY_SHA256,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        request = self.client.build_request(method, url, content=body, timeout=timeout or self.client.timeout)
        sign(request, self.config, body_sha256)
        try:
            return self.client.send(request)
        except httpx.HTTPError as exc:
            raise S3Error(
                f"{method} {where}: {type(exc).__name__}: {exc}: tidak dapat dihubungi, periksa LAPKIN_S3_ENDPOINT_URL "
                "/ cannot be reached, check LAPKIN_S3_ENDPOINT_URL"
            ) from None

    def probe(self) -> None:
        """A cheap look whether the bucket answers us (HEAD of the bucket, at most PROBE_TIMEOUT_S): S3Error when it
        does not (unreachable, refused credentials, no such bucket)."""
        short = min(PROBE_TIMEOUT_S, self.config.read_timeout_s)
        timeout = httpx.Timeout(short, connect=min(short, self.config.connect_timeout_s))
        where = f"s3://{self.config.bucket}"
        response = self._send_to("HEAD", f"{self.config.endpoint_url}/{self.config.bucket}", where, timeout=timeout)
        if response.status_code == 404:  # a HEAD answer has no body: of a bucket, a 404 can only mean this
            error = S3Error(f"HEAD {where}: HTTP 404 NoSuchBucket{NO_BUCKET}")
            error.status, error.code = 404, "NoSuchBucket"
            raise error
        if response.status_code != 200:
            raise self._refused("HEAD", where, response)

    @staticmethod
    def _refused(method: str, where: str, response: httpx.Response) -> S3Error:
        code = ""
        if b"<Code>" in response.content:
            code = response.content.split(b"<Code>", 1)[1].split(b"</Code>", 1)[0][:80].decode(errors="replace")
        said = f"{method} {where}: HTTP {response.status_code} {code}".rstrip()
        if response.status_code == 403:  # a HEAD's 403 has no body, no code: say what a refusal means all the same
            said += (
                ": tidak berwenang, periksa LAPKIN_S3_ACCESS_KEY / LAPKIN_S3_SECRET_KEY (dan kebijakan bucket) / "
                "not authorised, check LAPKIN_S3_ACCESS_KEY / LAPKIN_S3_SECRET_KEY (and the bucket policy)"
            )
        elif code == "NoSuchBucket":
            said += NO_BUCKET
        elif code == "AuthorizationHeaderMalformed":  # the region the signature names is not the bucket's
            said += ": periksa LAPKIN_S3_REGION / check LAPKIN_S3_REGION"
        error = S3Error(said)
        error.status, error.code = response.status_code, code
        return error

    def put(self, key: str, data: bytes, data_sha256: str) -> None:
        response = self._send("PUT", key, data, data_sha256)
        if response.status_code != 200:
            raise self._refused("PUT", self.where(key), response)

    def get(self, key: str) -> bytes | None:
        """The object's bytes; None when there is no such key."""
        response = self._send("GET", key)
        if response.status_code == 404 and b"NoSuchKey" in response.content:
            return None
        if response.status_code != 200:
            raise self._refused("GET", self.where(key), response)
        return response.content

    def exists(self, key: str) -> bool:
        response = self._send("HEAD", key)
        if response.status_code == 404:  # a HEAD answer has no body to tell NoSuchKey from NoSuchBucket
            return False
        if response.status_code != 200:
            raise self._refused("HEAD", self.where(key), response)
        return True

    def close(self) -> None:
        self.client.close()
