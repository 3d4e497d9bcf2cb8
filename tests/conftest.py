import pytest
from django.test import Client

from lms.factories import CourseIndexPageFactory, CoursePageFactory, ModulePageFactory, UserFactory
from lms.models import Role
from lms.roles import user_set_role
from lms.setup import site_ensure_catalogue
from tests.net import free_port


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (Redis when it answers): each test starts from zero."""
    from django.core.cache import caches

    for alias in ("default", "local"):
        caches[alias].clear()
    yield


def _wagtail_roots() -> None:
    """Transactional tests flush every table, including the root page, collection and locale that Wagtail's
    migrations created; put them back."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(title="Root", slug="root", url_path="/", content_type=ContentType.objects.get_for_model(Page))
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def catalogue(db):
    _wagtail_roots()
    return site_ensure_catalogue()


@pytest.fixture
def course(catalogue):
    course = CoursePageFactory(parent=catalogue, title="Pelatihan Uji", slug="pelatihan-uji")
    for n in range(1, 4):
        ModulePageFactory(parent=course, title=f"Modul {n}", slug=f"modul-{n}")
    return course


@pytest.fixture
def learner(db):
    return UserFactory(full_name="Peserta Uji")


@pytest.fixture
def instructor(db):
    user = UserFactory(full_name="Widyaiswara Uji")
    return user_set_role(user=user, role=Role.INSTRUCTOR)


@pytest.fixture
def administrator(db):
    user = UserFactory(full_name="Admin Uji")
    return user_set_role(user=user, role=Role.ADMINISTRATOR)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


__all__ = ["CourseIndexPageFactory", "client_for"]


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server over real HTTP on loopback, for the S3 paths of django-storages/boto3."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


S3_BUCKET = "siger-test"


@pytest.fixture
def s3(settings, moto_endpoint):
    """Django's default storage on a fresh bucket of moto's S3 server (django-storages, signed URLs, no overwrite);
    yields the boto3 client, and empties and removes the bucket afterwards."""
    import boto3

    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=moto_endpoint, **credentials)
    client.create_bucket(Bucket=S3_BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": moto_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for obj in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", []):
        client.delete_object(Bucket=S3_BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=S3_BUCKET)


def s3_keys(client) -> list[str]:
    """The keys in the test bucket."""
    return [obj["Key"] for obj in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", [])]
