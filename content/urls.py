from django.urls import path

from content import views

# Served on the player host only (content/middleware.py). The token is in the path because h5p-standalone builds
# content file URLs by joining strings onto the content path.
app_name = "content"
urlpatterns = [
    path("t/<str:token>/a/<uuid:activity>/play/", views.player, name="player"),
    path("t/<str:token>/a/<uuid:activity>/h5p.json", views.h5p_json, name="h5p_json"),
    path("t/<str:token>/a/<uuid:activity>/content/<path:path>", views.content_file, name="content_file"),
    path("a/<uuid:activity>/libraries/<str:folder>/<path:path>", views.library_file, name="library_file"),
]
