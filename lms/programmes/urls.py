"""URLs of programme runs, under /program/: each area of lms.programmes.views lists its own."""

from lms.programmes.views import guides, projects, results, runs, seminar

app_name = "programmes"
urlpatterns: list = [
    *runs.urlpatterns,
    *guides.urlpatterns,
    *projects.urlpatterns,
    *seminar.urlpatterns,
    *results.urlpatterns,
]
