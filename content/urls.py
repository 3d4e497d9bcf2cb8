from django.urls import path

from content import views

app_name = "content"
urlpatterns = [
    path("a/<uuid:activity>/play/", views.player, name="player"),
    path("a/<uuid:activity>/h5p.json", views.h5p_json, name="h5p_json"),
    path("a/<uuid:activity>/content/<path:path>", views.content_file, name="content_file"),
    path("a/<uuid:activity>/libraries/<str:folder>/<path:path>", views.library_file, name="library_file"),
]
