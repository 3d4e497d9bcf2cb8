"""Fill the JP snapshot of enrollments completed before it existed.

The best we know: the JP their certificate stated when it was issued, else the course's JP today.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_jp_credit(apps, schema_editor):
    Enrollment = apps.get_model("lms", "Enrollment")
    Certificate = apps.get_model("lms", "Certificate")
    certificate_jp = Certificate.objects.filter(enrollment=OuterRef("pk")).values("jp_credit")[:1]
    course_jp = apps.get_model("lms", "CoursePage").objects.filter(pk=OuterRef("course_id")).values("jp_credit")[:1]
    Enrollment.objects.filter(status="completed", jp_credit__isnull=True).update(
        jp_credit=Coalesce(Subquery(certificate_jp), Subquery(course_jp))
    )


class Migration(migrations.Migration):
    dependencies = [("lms", "0005_records_protected_jp_snapshot_archive")]

    operations = [migrations.RunPython(fill_jp_credit, migrations.RunPython.noop)]
