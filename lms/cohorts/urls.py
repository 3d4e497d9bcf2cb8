from django.urls import path

from lms.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("kohort/<int:course_id>/kelas/baru/", views.class_create, name="class_create"),
    path("kohort/<int:course_id>/kelas/tetapkan/", views.class_assign, name="class_assign"),
    path("kohort/<int:course_id>/kelas/<int:class_id>/", views.class_detail, name="class_detail"),
    path("kohort/<int:course_id>/kelas/<int:class_id>/kelompok/baru/", views.group_create, name="group_create"),
    path("kohort/<int:course_id>/kelas/<int:class_id>/kelompok/tetapkan/", views.group_assign, name="group_assign"),
    path("kohort/<int:course_id>/kelas/<int:class_id>/pengajar/", views.class_instructor, name="class_instructor"),
    path("kohort/pendaftaran/<int:enrollment_id>/", views.enrollment_detail, name="enrollment_detail"),
    path(
        "kohort/pendaftaran/<int:enrollment_id>/undur-diri/",
        views.enrollment_withdraw_view,
        name="enrollment_withdraw",
    ),
    path("kohort/pendaftaran/<int:enrollment_id>/pindah/", views.enrollment_move_view, name="enrollment_move"),
    path(
        "kohort/pendaftaran/<int:enrollment_id>/aktifkan/",
        views.enrollment_reinstate_view,
        name="enrollment_reinstate",
    ),
]
