from django.urls import path

from lms.assignments.views import grading, learner

app_name = "assignments"
urlpatterns = [
    # A file handed in, for its owner(s) and those who grade it; always an attachment, never inline.
    path("tugas/berkas/<int:file_id>/", learner.submission_file_download, name="submission_file"),
    # The file an instructor returned with a grade.
    path("tugas/umpan-balik/<int:grade_id>/", learner.returned_file_download, name="returned_file"),
    # The grading queue of the instructor (ungraded first, oldest first), across the courses they manage.
    path("tugas/penilaian/", grading.grading_queue, name="queue"),
    path("tugas/penilaian/<int:submission_id>/", grading.submission_grade_view, name="grade"),
    # Every submission of one assignment as one ZIP, named by NIP.
    path("tugas/<int:assignment_id>/unduh.zip", grading.submissions_zip, name="submissions_zip"),
]
