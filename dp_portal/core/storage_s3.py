"""The S3-compatible backend of core/storage: AWS S3, MinIO, Ceph and the like, through boto3.

STORAGE_URL=s3://bucket/prefix names the bucket and an optional folder in it. Credentials and
region come from boto3's standard sources (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_DEFAULT_REGION or AWS_REGION, a profile, an instance role), never from
the portal's own settings; STORAGE_ENDPOINT_URL points at a non-AWS service. STORAGE_SSE asks
for server-side encryption on every write: AES256 (S3-managed keys) or aws:kms (with
STORAGE_SSE_KMS_KEY_ID, or the bucket's default KMS key).

Writes are conditional (If-None-Match: *, supported by S3 since August 2024 and by MinIO), so
an object is never overwritten, as on local disk.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from .storage import BadKey, StorageError, StoredFileMissing, check_key

# Bucket names: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a
# letter or digit (AWS S3 user guide, "General purpose bucket naming rules").
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
SSE_CHOICES = ("", "AES256", "aws:kms", "aws:kms:dsse")
_MISSING = ("404", "NoSuchKey", "NotFound")
# Short timeouts and a few retries: a page waits seconds at most for a file, never minutes.
_CLIENT_CONFIG = BotoConfig(
    connect_timeout=5,
    read_timeout=30,
    retries={"max_attempts": 3, "mode": "standard"},
    signature_version="s3v4",
)


def parse_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) from s3://bucket/prefix, or StorageError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise StorageError(
            f"STORAGE_URL must start with s3:// (it starts with {parts.scheme or 'nothing'}://); "
            "leave it unset to keep files on local disk"
        )
    if parts.query or parts.fragment or parts.username or parts.password or parts.port:
        raise StorageError(
            "STORAGE_URL must be just s3://bucket/prefix: no user, password, port or ?options "
            "(credentials come from the AWS_* environment variables)"
        )
    bucket, prefix = parts.hostname or "", parts.path.strip("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise StorageError(
            f"STORAGE_URL names the bucket {bucket!r}, which is not a valid bucket name "
            "(3 to 63 lower-case letters, digits, dots and hyphens)"
        )
    if prefix:
        try:
            check_key(prefix)
        except BadKey as exc:
            raise StorageError(f"STORAGE_URL's prefix {prefix!r} is not valid: {exc}") from exc
    return bucket, prefix


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Storage:
    """Objects in one bucket, under an optional prefix."""

    def __init__(self, client, bucket: str, prefix: str = "", sse: str = "", kms_key_id: str = ""):
        if sse not in SSE_CHOICES:
            raise StorageError(
                f"STORAGE_SSE is {sse!r}: set it to AES256 or aws:kms, or leave it unset"
            )
        if kms_key_id and not sse.startswith("aws:kms"):
            raise StorageError("STORAGE_SSE_KMS_KEY_ID is set, so STORAGE_SSE must be aws:kms")
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.sse, self.kms_key_id = sse, kms_key_id
        self.endpoint = client.meta.endpoint_url

    @classmethod
    def from_settings(
        cls, url: str, *, endpoint_url: str | None, sse: str = "", kms_key_id: str = ""
    ) -> S3Storage:
        bucket, prefix = parse_url(url)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=_CLIENT_CONFIG
        )
        return cls(client, bucket, prefix, sse, kms_key_id)

    def object_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _encryption(self) -> dict[str, str]:
        extra = {"ServerSideEncryption": self.sse} if self.sse else {}
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        return extra

    def put(self, key: str, data: bytes, content_type: str) -> str:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.object_key(key),
                Body=data,
                ContentType=content_type,
                IfNoneMatch="*",  # never overwrite
                **self._encryption(),
            )
        except ClientError as exc:
            if _code(exc) in ("PreconditionFailed", "412"):
                raise StorageError(f"{key} is already stored; keys are never reused") from exc
            raise StorageError(f"{self.describe()} refused to store {key}: {_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"{self.describe()} could not be reached: {exc}") from exc
        return key

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
            return answer["Body"].read()
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise StoredFileMissing(key) from exc
            raise StorageError(f"{self.describe()} refused to read {key}: {_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"{self.describe()} could not be reached: {exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise StorageError(f"{self.describe()} refused to look up {key}: {_code(exc)}") from exc
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def check(self) -> None:
        """The bucket answers to these credentials; otherwise what is wrong, in words."""
        where = self.describe()
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError as exc:
            raise StorageError(
                f"{where}: no credentials were found. Set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or give the server a role)"
            ) from exc
        except ClientError as exc:
            code = _code(exc)
            if code in _MISSING or code == "NoSuchBucket":
                raise StorageError(f"{where}: the bucket {self.bucket} does not exist") from exc
            if code in ("403", "AccessDenied", "Forbidden"):
                raise StorageError(
                    f"{where}: access to the bucket {self.bucket} was refused. Check the "
                    "credentials and the bucket's policy"
                ) from exc
            raise StorageError(f"{where}: the bucket answered {code}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"{where} could not be reached: {exc}") from exc
        finally:
            # The check runs as the app is built, which gunicorn does once before forking its
            # workers (preload_app): a connection left open here would be one socket read and
            # written by every worker at once. The client opens new ones when next used.
            self.client.close()

    def describe(self) -> str:
        at = f" at {self.endpoint}" if self.endpoint else ""
        path = f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket
        return f"object storage s3://{path}{at}"
