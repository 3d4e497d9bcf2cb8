from django.urls import path

from lms.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifikasi/", views.notification_index, name="index"),
    path("notifikasi/<int:pk>/dibaca/", views.notification_read, name="read"),
    path("notifikasi/dibaca-semua/", views.notification_read_all, name="read_all"),
    path("notifikasi/pengaturan/", views.notification_preferences_view, name="preferences"),
]
