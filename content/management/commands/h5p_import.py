from django.core.management.base import BaseCommand, CommandError

from content.h5p import H5PValidationError
from content.services import package_import


class Command(BaseCommand):
    help = (
        "Validate and import .h5p packages: one line per file, then its import report (files left out, outside "
        "hosts, filtered content); exits non-zero if any file was rejected. Library versions are stored approved."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        rejected = 0
        for path in files:
            try:
                # The operator's own tool: new library versions play at once (an instructor's upload waits).
                activity = package_import(source=path, trusted=True)
            except H5PValidationError as error:
                rejected += 1
                self.stdout.write(self.style.ERROR(f"DITOLAK {path}: " + " | ".join(error.messages)))
            except OSError as error:
                rejected += 1
                self.stdout.write(self.style.ERROR(f"DITOLAK {path}: {error.strerror or error}"))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"DIIMPOR {path}: {activity.title} ({activity.content_type_label}) id={activity.pk}"
                    )
                )
                for note in activity.import_notes:
                    where = f"{note['path']}: " if note.get("path") else ""
                    self.stdout.write(self.style.WARNING(f"  PERHATIAN {where}{note['message']}"))
        if rejected:
            raise CommandError(f"{rejected} dari {len(files)} paket ditolak.")
