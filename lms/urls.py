from django.contrib.auth import views as auth_views
from django.urls import path

from lms.views import accounts, courses, reports
from lms.views import certificates as certificate_views
from lms.xapi import views as xapi_views

app_name = "lms"
urlpatterns = [
    path("masuk/", accounts.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("masuk/lupa-sandi/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("masuk/lupa-sandi/terkirim/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "masuk/atur-sandi/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("masuk/atur-sandi/selesai/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("saya/", courses.dashboard, name="dashboard"),
    path("saya/jadwal.ics", courses.dashboard_ics, name="dashboard_ics"),
    path("laporan/opd/", reports.work_unit_report, name="work_unit_report"),
    path("sertifikat/<str:code>/", certificate_views.certificate_detail, name="certificate"),
    path("sertifikat/<str:code>/cabut/", certificate_views.certificate_revoke_view, name="certificate_revoke"),
    path("sertifikat/<str:code>/pdf/", certificate_views.certificate_pdf, name="certificate_pdf"),
    path(
        "sertifikat/pelatihan/<int:course_id>.zip",
        certificate_views.course_certificates_zip,
        name="course_certificates_zip",
    ),
    path("verifikasi/<str:code>/", certificate_views.certificate_verify, name="certificate_verify"),
    path("xapi/<int:module_id>/<str:block_id>/statements/", xapi_views.statements, name="xapi_statements"),
    path("xapi/<int:module_id>/<str:block_id>/state/", xapi_views.state, name="xapi_state"),
    path("laporan-aktivitas/<int:module_id>/<str:block_id>/", xapi_views.activity_report, name="activity_report"),
    path(
        "laporan-aktivitas/<int:module_id>/<str:block_id>/csv/",
        xapi_views.activity_report_download,
        name="activity_report_csv",
    ),
]
