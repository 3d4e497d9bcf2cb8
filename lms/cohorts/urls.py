from django.urls import path

from lms.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("kohort/<int:course_id>/kelas/baru/", views.class_create, name="class_create"),
    path("kohort/<int:course_id>/kelas/tetapkan/", views.class_assign, name="class_assign"),
    path("kohort/pendaftaran/<int:enrollment_id>/", views.enrollment_detail, name="enrollment_detail"),
    path(
        "kohort/pendaftaran/<int:enrollment_id>/undur-diri/",
        views.enrollment_withdraw_view,
        name="enrollment_withdraw",
    ),
    path(
        "kohort/pendaftaran/<int:enrollment_id>/aktifkan/",
        views.enrollment_reinstate_view,
        name="enrollment_reinstate",
    ),
]
