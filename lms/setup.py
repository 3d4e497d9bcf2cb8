"""Bring a fresh database to a usable state: the catalogue as the site root, and the role groups."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from lms.models import CourseIndexPage
from lms.roles import roles_ensure_groups


@transaction.atomic
def site_ensure_catalogue(*, hostname: str = "localhost", port: int = 80) -> CourseIndexPage:
    """Make a CourseIndexPage the default site's root (idempotent); removes Wagtail's welcome page."""
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
    elif site.root_page_id != existing.pk:
        old_root = site.root_page
        site.root_page, site.site_name = existing, "Siger"
        site.save()
        if type(old_root.specific) is Page and old_root.is_leaf():
            old_root.delete()
    return existing


def siger_setup() -> CourseIndexPage:
    roles_ensure_groups()
    return site_ensure_catalogue()
