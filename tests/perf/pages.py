"""Benchmark: the authenticated course page of a 50-module course with 1,000 enrollments, against a bare Wagtail
page, served in the same run through Django's full request stack (middleware, Wagtail routing, templates).

    python -m tests.perf.pages

Rounds alternate the two pages so that machine noise hits both; the figures are medians of the rounds.
Target: course_rps / bare_rps >= 0.5.
"""

from __future__ import annotations

import json
import sys

from tests.perf._django import django_test_database, median, rate

MODULES, LEARNERS, ROUNDS, SECONDS = 50, 1000, 7, 1.5


def _seed():
    from wagtail.models import Page

    from lms.factories import (
        CoursePageFactory,
        LiveSessionPageFactory,
        ModulePageFactory,
        UserFactory,
        WorkUnitFactory,
    )
    from lms.models import Enrollment, ItemProgress, ProgressStatus
    from lms.setup import siger_setup

    catalogue = siger_setup()
    bare = Page(title="Halaman polos", slug="polos")
    catalogue.add_child(instance=bare)
    course = CoursePageFactory(parent=catalogue, title="Pelatihan 50 modul", slug="pelatihan-50")
    for n in range(MODULES):
        if n % 10 == 9:
            LiveSessionPageFactory(parent=course)
        else:
            ModulePageFactory(parent=course)
    learners = UserFactory.build_batch(LEARNERS, work_unit=WorkUnitFactory())
    for user in learners:
        user.set_unusable_password()
    from lms.models import User

    users = User.objects.bulk_create(learners)
    Enrollment.objects.bulk_create(Enrollment(user=u, course=course) for u in users)
    learner = users[0]
    enrollment = Enrollment.objects.get(user=learner, course=course)
    items = list(course.get_children())
    ItemProgress.objects.bulk_create(
        ItemProgress(enrollment=enrollment, item=item, status=ProgressStatus.COMPLETED) for item in items[:20]
    )
    return bare, course, learner


def main() -> int:
    with django_test_database("test_siger_bench_pages"):
        from django.test import Client

        bare, course, learner = _seed()
        anonymous, client = Client(), Client()
        client.force_login(learner)
        for c, url in ((anonymous, bare.url), (client, course.url)):
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)
        assert f"{MODULES}" in course.title
        bare_rates, bare_auth_rates, course_rates = [], [], []
        for _ in range(ROUNDS):
            bare_rates.append(rate(lambda: anonymous.get(bare.url), seconds=SECONDS))
            bare_auth_rates.append(rate(lambda: client.get(bare.url), seconds=SECONDS))
            course_rates.append(rate(lambda: client.get(course.url), seconds=SECONDS))
            print(
                f"round: bare {bare_rates[-1]:7.1f} req/s   bare, logged in {bare_auth_rates[-1]:7.1f} req/s   "
                f"course {course_rates[-1]:7.1f} req/s",
                flush=True,
            )
        from django.db import connection

        bare_rps, course_rps = median(bare_rates), median(course_rates)
        print(
            f"database: {connection.vendor}; course: {MODULES} steps, {LEARNERS} enrollments; "
            f"medians of {ROUNDS} rounds of {SECONDS}s"
        )
        bare_auth_rps = median(bare_auth_rates)
        print(
            f"bare Wagtail page: {bare_rps:.1f} req/s anonymous, {bare_auth_rps:.1f} req/s logged in; "
            f"authenticated course page: {course_rps:.1f} req/s"
        )
        print(
            f"ratio vs the anonymous bare page {course_rps / bare_rps:.2f} (target >= 0.5; reported below); "
            f"vs the same page logged in {course_rps / bare_auth_rps:.2f}"
        )
        print(
            json.dumps(
                {
                    "bare_rps": round(bare_rps, 1),
                    "course_rps": round(course_rps, 1),
                    "ratio": round(course_rps / bare_rps, 3),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
