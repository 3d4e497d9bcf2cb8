from django.urls import path

from lms.accounts import views

app_name = "accounts"
urlpatterns = [
    path("kelola/akun/impor/", views.import_upload, name="import_upload"),
    path("kelola/akun/impor/<int:pk>/", views.import_preview, name="import_preview"),
    path("kelola/akun/aktivasi/", views.activation_list, name="activation_list"),
    path("aktifkan/<uidb64>/<token>/", views.activate, name="activate"),
]
