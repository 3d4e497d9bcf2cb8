"""Production mode is the same code with environment variables: S3 media through django-storages, tested
against moto's server over real HTTP in a separate process that reads only the environment."""

import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import boto3
import redis

ROOT = Path(__file__).resolve().parents[2]


SCRIPT = textwrap.dedent(
    """
    import io, django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.core.files.images import ImageFile
    from django.core.files.storage import storages
    from PIL import Image as PILImage
    from wagtail.images.models import Image
    print("storage", type(storages["default"]).__module__, settings.CHANNEL_LAYERS["default"]["BACKEND"])
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 480), (138, 28, 28)).save(buffer, "PNG")
    image = Image.objects.create(title="Sampul", file=ImageFile(buffer, name="sampul.png"))
    rendition = image.get_rendition("fill-320x200")
    print("image", image.file.name)
    print("rendition", rendition.file.name)
    print("url", rendition.url)
    """
)


def test_when_aws_bucket_is_set_then_media_and_renditions_go_to_s3(moto_endpoint, tmp_path):
    bucket = "siger-media-test"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=moto_endpoint, **credentials)
    client.create_bucket(Bucket=bucket)
    redis_url = "redis://127.0.0.1:6379/9"
    try:
        # Wagtail caches renditions by image id: a fresh database reuses ids, so start from an empty cache.
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).flushdb()
        layer = "channels_redis.pubsub.RedisPubSubChannelLayer"
    except redis.ConnectionError:  # no Redis on this machine: the S3 half still runs
        redis_url, layer = "", "channels.layers.InMemoryChannelLayer"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **({"REDIS_URL": redis_url} if redis_url else {}),
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["storage"] == f"storages.backends.s3 {layer}"
    assert client.head_object(Bucket=bucket, Key=lines["image"])["ContentLength"] > 0
    assert lines["url"].startswith(f"{moto_endpoint}/{bucket}/")
    with urllib.request.urlopen(lines["url"], timeout=10) as response:  # the presigned URL a browser gets
        assert response.headers["Content-Type"].startswith("image/")
        assert response.read(8) == b"\x89PNG\r\n\x1a\n"
