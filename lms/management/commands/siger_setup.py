from django.core.management.base import BaseCommand

from lms.setup import siger_setup


class Command(BaseCommand):
    help = "Prepare a migrated database: catalogue page as site root, role groups (idempotent)."

    def handle(self, *args, **options):
        catalogue = siger_setup()
        self.stdout.write(f"Siger ready: catalogue '{catalogue.title}' is the site root.")
