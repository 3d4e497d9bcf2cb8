from django.conf import settings
from django.core.management.base import BaseCommand

from lms.demo import demo_seed, demo_seed_h5p
from lms.factories import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Seed the demo blended course, OPDs and users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--h5p-dir", default="", help="Folder of .h5p packages to place in the demo modules.")

    def handle(self, *args, **options):
        logins = demo_seed()
        h5p_note = demo_seed_h5p(h5p_dir=options["h5p_dir"])
        login_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/masuk/"
        self.stdout.write(self.style.SUCCESS(f"Demo siap. Masuk di {login_url} dengan:"))
        rows = [("Administrator", logins.administrator), ("Widyaiswara", logins.instructor)]
        rows += [("Peserta", learner) for learner in logins.learners[:3]]
        rows.append(("Peserta (belum terdaftar)", logins.learners[-1]))
        for label, user in rows:
            self.stdout.write(f"  {label:<26} NIP {user.nip}  email {user.email}")
        self.stdout.write(f"  Kata sandi semua akun demo: {DEMO_PASSWORD}")
        if logins.programme_run is not None:
            from lms.programmes.guides import course_guide_rows

            mentor = next(
                (row.mentor.user for row in course_guide_rows(course=logins.programme_run) if row.mentor), None
            )
            self.stdout.write(
                f"  {logins.programme_run.title}: fase aksi perubahan; coach dan penguji {logins.instructor.nip}"
                + (f", mentor {mentor.nip} ({mentor.full_name})" if mentor else "")
            )
        self.stdout.write(h5p_note)
