"""The Wagtail admin speaks Bahasa Indonesia: locale/id_ID fills the strings Wagtail's own id_ID catalog lacks."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page with its inline JSON (the sidebar menu is rendered from JSON props) made readable."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode().replace("\\u2026", "…")
    return re.sub(r"\s+", " ", html)


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_dashboard_sidebar_and_summary_are_in_indonesian(course, instructor):
    course.instructors.add(instructor)
    course.save_revision().publish()  # an instructor of no course has no pages, and so no page menus
    text = _text(client_for(instructor).get(reverse("wagtailadmin_home")))
    for label in ("Laporan", "Bantuan", "Halaman", "Cari semua halaman…", "Lewati ke konten utama"):
        assert label in text, label
    for english in ("Reports", "Help", "Search all pages…", "Skip to main content", "Toggle sidebar"):
        assert not _has_word(text, english), english
    assert not re.search(r"\d+ Pages\b", text)


def test_page_explorer_of_the_course_is_in_indonesian(course, administrator):
    text = _text(client_for(administrator).get(reverse("wagtailadmin_explore", args=[course.pk])))
    for label in ("Tambah halaman anak", "Terbitkan halaman terpilih", "Batalkan terbitan halaman terpilih"):
        assert label in text, label
    for english in (
        "Add child page",
        "Publish selected pages",
        "Unpublish selected pages",
        "Select all",
        "More options for",
    ):
        assert english not in text, english


def test_module_edit_form_offers_terbitkan_and_simpan_draf(course, instructor):
    course.instructors.add(instructor)
    course.save_revision().publish()  # page permissions follow the published instructor list
    module = course.get_children().first()
    text = _text(client_for(instructor).get(reverse("wagtailadmin_pages:edit", args=[module.pk])))
    assert 'name="action-publish"' in text
    for label in ("Terbitkan", "Simpan draf", "Pratinjau", "Riwayat", "Judul halaman"):
        assert label in text, label
    for english in (
        "Publish",
        "Save draft",
        "Page title",
        "Preview in new tab",
        "Toggle side panel",
        "Visit the live page",
    ):
        assert not _has_word(text, english), english
    for old_wording in ("Publikasi", "Simpan konsep"):
        assert old_wording not in text, old_wording


def test_flash_messages_and_plurals_are_translated_with_placeholders_intact():
    from django.utils import translation

    with translation.override("id-id"):
        published = translation.gettext("Page '%(page_title)s' has been published.") % {"page_title": "Modul 4"}
        assert published == "Halaman 'Modul 4' telah diterbitkan."
        unpublished = translation.gettext("Page '%(page_title)s' unpublished.") % {"page_title": "Modul 4"}
        assert unpublished == "Terbitan halaman 'Modul 4' dibatalkan."
        for n in (1, 14):
            pages = translation.ngettext(
                '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
                '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
                n,
            ) % {"total": n, "site_name": "Siger"}
            assert pages == f'{n} Halaman <span class="w-sr-only">dibuat di Siger</span>'
        assert translation.gettext("Save draft") == "Simpan draf"
        assert translation.gettext("Live") == "Tayang"
