"""Bring a fresh database to a usable state: the catalogue as the site root, and the role groups."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from lms.models import CourseIndexPage
from lms.roles import course_instructors_sync_all, roles_ensure_groups


def _site_address() -> tuple[str, int]:
    """The site's canonical host and port, from SIGER_BASE_URL. Wagtail builds full URLs and admin previews from
    the Site row; Wagtail's own default ("localhost") is the H5P player's host in the embedded default."""
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


@transaction.atomic
def site_ensure_catalogue() -> CourseIndexPage:
    """Make a CourseIndexPage the default site's root at SIGER_BASE_URL's address (idempotent); removes
    Wagtail's welcome page."""
    hostname, port = _site_address()
    existing = CourseIndexPage.objects.first()
    root = Page.get_first_root_node()
    if existing is None:
        existing = CourseIndexPage(
            title="Katalog Pelatihan",
            slug="katalog",
            intro="<p>Pelatihan terpadu (blended) untuk ASN Provinsi Lampung.</p>",
        )
        root.add_child(instance=existing)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=existing, is_default_site=True, site_name="Siger")
        return existing
    old_root = site.root_page if site.root_page_id != existing.pk else None
    if old_root is not None or (site.hostname, site.port) != (hostname, port):
        site.root_page, site.site_name, site.hostname, site.port = existing, "Siger", hostname, port
        site.save()
    if old_root is not None and type(old_root.specific) is Page and old_root.is_leaf():
        old_root.delete()
    return existing


def siger_setup() -> CourseIndexPage:
    """Run on every deploy: role groups with exactly their permissions (old root grants to instructors are
    removed), the catalogue, and each course's instructors holding page permissions on that course only."""
    roles_ensure_groups()
    catalogue = site_ensure_catalogue()
    course_instructors_sync_all()
    return catalogue
