"""Check or rebuild the yearly JP totals (LedgerYear) that database triggers keep from the ledger.

manage.py competence_totals            # report any difference; exit status 1 when there is one
manage.py competence_totals --rebuild  # recompute them all from the ledger
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lms.competence.services import ledger_years_differences, ledger_years_rebuild


class Command(BaseCommand):
    help = "Check the yearly JP totals against the ledger, or rebuild them (--rebuild)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute every yearly total from the ledger")

    def handle(self, *args, rebuild: bool = False, **options) -> None:
        if rebuild:
            rows = ledger_years_rebuild()
            self.stdout.write(self.style.SUCCESS(f"{rows} yearly totals rebuilt from the ledger."))
            return
        differences = ledger_years_differences()
        for line in differences[:50]:
            self.stdout.write(line)
        if differences:
            raise CommandError(f"{len(differences)} yearly totals differ from the ledger: run with --rebuild.")
        self.stdout.write(self.style.SUCCESS("The yearly totals agree with the ledger."))
