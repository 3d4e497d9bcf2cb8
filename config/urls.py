import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve as serve_static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms import protection
from lms.views import admin as admin_views
from lms.views import documents as document_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # One login page for everyone (NIP or email, throttled): the admin's own would be a second, unthrottled one.
    # Wagtail sends here whoever it refuses: a person already logged in gets a 403 page, not a login loop.
    path("admin/login/", admin_views.admin_login, name="admin_login"),
    # And one password reset, throttled per account and per IP (Wagtail's own is neither).
    path("admin/password_reset/", RedirectView.as_view(pattern_name="lms:password_reset")),
    # Wagtail's admin API page actions skip the admin's hooks: the same "nothing lost by a delete" refusals first.
    path("admin/api/main/pages/<int:pk>/action/<str:action_name>/", protection.page_api_action),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view behind Siger's door (lms.wagtail_hooks), never cached by a shared cache.
    re_path(r"^documents/(\d+)/(.*)$", document_views.document_serve, name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("h5p/", include("content.urls")),
    path("live/", include("live.urls")),
    path("", include("lms.urls")),
    path("", include("lms.accounts.urls")),
    path("", include("lms.cohorts.urls")),
    path("", include("lms.assignments.urls")),
    path("", include("lms.notifications.urls")),
    path("", include("lms.sso.urls")),
    path("", include("lms.competence.urls")),
    path("", include("lms.programmes.urls")),
]
# Media that only a view may hand out, after its access check: documents, H5P content, assignment files, learning
# evidence, certificate PDFs.
PRIVATE_MEDIA = ("documents/", "h5p/", "assignments/", "competence/", "certificates/", "programmes/")
if settings.DEBUG and not getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
    # Local media in the embedded default only (as django.conf.urls.static did); with S3 the bucket serves them.
    private = "|".join(re.escape(prefix) for prefix in PRIVATE_MEDIA)
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?!{private})(?P<path>.*)$",
            serve_static,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
urlpatterns.append(path("", include(wagtail_urls)))
