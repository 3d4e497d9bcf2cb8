from django.urls import path

from lms.sso import views

app_name = "sso"
urlpatterns = [
    # Also the direct entry for the Lampung-In super app: /masuk/sso/?next=/pelatihan/... starts SSO at once.
    path("masuk/sso/", views.SsoStartView.as_view(), name="start"),
    path("masuk/sso/callback/", views.SsoCallbackView.as_view(), name="callback"),
]
