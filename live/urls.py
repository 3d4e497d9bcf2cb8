from django.urls import path

from live import views

app_name = "live"
urlpatterns = [
    path("<int:session_id>/", views.room, name="room"),
    path("<int:session_id>/kode/", views.checkin_code_current, name="checkin_code"),
    path("<int:session_id>/presensi/", views.checkin, name="checkin"),
    path("<int:session_id>/kehadiran/", views.report, name="report"),
    path("<int:session_id>/kehadiran.csv", views.report_csv, name="report_csv"),
    path("<int:session_id>/kehadiran/ubah/", views.attendance_change, name="attendance_change"),
]
