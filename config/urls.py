from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # One login page for everyone (NIP or email, throttled): the admin's own would be a second, unthrottled one.
    path("admin/login/", RedirectView.as_view(pattern_name="lms:login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("h5p/", include("content.urls")),
    path("live/", include("live.urls")),
    path("", include("lms.urls")),
]
if not getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
    # Local media in the embedded default only; with S3 the bucket serves them.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns.append(path("", include(wagtail_urls)))
