from django.urls import path

from lms.accounts import views

app_name = "accounts"
urlpatterns = [
    path("kelola/akun/impor/", views.import_upload, name="import_upload"),
    path("kelola/akun/impor/<int:pk>/", views.import_preview, name="import_preview"),
    path("kelola/akun/aktivasi/", views.activation_list, name="activation_list"),
    path("kelola/akun/aktivasi/<int:pk>/kirim-ulang/", views.activation_resend, name="activation_resend"),
    path("aktifkan/<uidb64>/<token>/", views.activate, name="activate"),
    path("a/<str:code>/", views.activate_short, name="activate_short"),
]
