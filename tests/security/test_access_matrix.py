"""Every URL and every room-socket action, as each of seven people (issue 7, point 3).

The list of what to try is generated from the URL conf: Siger's own apps (lms, live, content and the top-level
routes config.urls adds), the routable sub-routes of the course, module and live-session pages, and the Wagtail
admin's views of one page (edit, add, delete, publish, move, copy, ...). A URL name without an expectation below
fails `test_every_url_has_an_expectation`, so a new view cannot be left out; a room action without one fails
`test_every_socket_action_has_an_expectation`.

Outcomes: OK (the door let them through: anything below 500 that is not a refusal or a login), DENY (403, 404,
or Wagtail's refusal: back to the admin's dashboard, or to the admin's login door when already logged in), LOGIN
(401 or a redirect to the login page), ANY (not decided here; said why). Each request runs in a transaction that
is rolled back, so a POST by one person does not change what the next request sees.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.documents import get_document_model

from content.services import package_import
from live.consumers import RoomConsumer
from lms.factories import CoursePageFactory, LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.models import Certificate, CoursePage, EnrollmentStatus, LiveSessionPage, ModulePage, Role, SessionKind
from lms.roles import course_instructors_sync, user_set_role
from lms.services import enrollment_create, progress_complete
from tests.h5p_fixtures import block_ids, build_zip, h5p_module, media_root_fixture, package_files  # noqa: F401
from tests.security import matrix_areas
from tests.security.matrix_rules import (  # noqa: F401  (re-exported for the areas' modules and older imports)
    ADMIN_PAGE,
    ADMIN_PAGE_NO_DELETE,
    ADMIN_PAGE_OPEN,
    AGENCY,
    ANY,
    DENY,
    LOGIN,
    MANAGE,
    OK,
    PUBLIC,
    REFUSED,
    REPORT,
    ROLES,
    SIGNED_IN,
    STEP,
    TOKEN,
    rule,
)

# Expectations: URL name -> {method: rule}. POST-only views list only POST (a GET must then never succeed).
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    # config.urls
    "admin_login": {"GET": rule(LOGIN, DENY, DENY, DENY, OK, OK, OK)},
    "wagtaildocs_serve": {"GET": STEP},  # a document used in a module of the course
    # Only a redirect to Siger's own throttled password reset (lms:password_reset).
    "<admin/password_reset/>": {"GET": PUBLIC},
    # Wagtail's admin API page actions (lms.protection's guard first), tried with "unpublish" on a module: its
    # pages are only those the person may explore, so another course's page is not found.
    "<admin/api/main/pages/<int:pk>/action/<str:action_name>/>": {
        "POST": rule(REFUSED, DENY, DENY, DENY, DENY, OK, OK)
    },
    # lms
    "lms:login": {"GET": PUBLIC},
    "lms:logout": {"POST": PUBLIC},
    "lms:password_reset": {"GET": PUBLIC},
    "lms:password_reset_done": {"GET": PUBLIC},
    "lms:password_reset_confirm": {"GET": PUBLIC},
    "lms:password_reset_complete": {"GET": PUBLIC},
    "lms:dashboard": {"GET": SIGNED_IN},
    "lms:dashboard_ics": {"GET": SIGNED_IN},
    "lms:work_unit_report": {"GET": AGENCY},
    # A peer's certificate: its learner, the course's instructors and administrators; 404 for everyone else.
    "lms:certificate": {"GET": MANAGE},
    "lms:certificate_revoke": {"POST": MANAGE},
    "lms:certificate_verify": {"GET": PUBLIC},
    "lms:certificate_pdf": {"GET": MANAGE},  # the same door as lms:certificate
    "lms:course_certificates_zip": {"GET": MANAGE},
    "lms:xapi_statements": {"POST": STEP},
    "lms:xapi_state": {"GET": STEP, "POST": STEP},
    "lms:activity_report": {"GET": REPORT},
    "lms:activity_report_csv": {"GET": REPORT},
    # live
    "live:room": {"GET": STEP},
    "live:checkin_code": {"GET": MANAGE},
    "live:checkin": {"GET": STEP, "POST": STEP},
    "live:report": {"GET": MANAGE},
    "live:report_csv": {"GET": MANAGE},
    "live:attendance_change": {"POST": MANAGE},
    # content (the sandboxed player's host)
    "content:player": {"GET": TOKEN},
    "content:h5p_json": {"GET": TOKEN},
    "content:content_file": {"GET": TOKEN},
    # Library code is the same public H5P code for everyone (issue 7, point 6): public, long-cached.
    "content:library_file": {"GET": rule(ANY, ANY, ANY, ANY, ANY, ANY, ANY)},
    # Page routes (RoutablePageMixin sub-routes)
    "CoursePage:course": {"GET": PUBLIC},
    "CoursePage:index_route": {"GET": PUBLIC},  # RoutablePageMixin's own name for the same "" route
    "CoursePage:enroll": {"POST": SIGNED_IN},
    "CoursePage:manage": {"GET": MANAGE, "POST": MANAGE},
    "CoursePage:progress_csv": {"GET": MANAGE},
    "ModulePage:module": {"GET": STEP},
    "ModulePage:index_route": {"GET": STEP},
    "ModulePage:mark_done": {"POST": STEP},
    "LiveSessionPage:session": {"GET": STEP},
    "LiveSessionPage:index_route": {"GET": STEP},
    "LiveSessionPage:ics": {"GET": STEP},
    # Wagtail admin, one page of this course (the course page and a module)
    "wagtailadmin_pages:edit": {"GET": ADMIN_PAGE_OPEN, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:preview_on_edit": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:view_draft": {"GET": ADMIN_PAGE_OPEN},
    "wagtailadmin_pages:add_subpage": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:add": {"GET": ADMIN_PAGE_OPEN, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:preview_on_add": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:delete": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:unpublish": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:convert_alias": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:move": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:set_page_position": {"POST": ADMIN_PAGE},
    "wagtailadmin_pages:copy": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    # Wagtail answers any admin user, with no more than "no confirmation needed" unless a page workflow runs (Siger
    # assigns none: instructors publish their own courses).
    "wagtailadmin_pages:confirm_workflow_cancellation": {"GET": rule(LOGIN, DENY, DENY, DENY, ANY, ANY, ANY)},
    "wagtailadmin_pages:set_privacy": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:lock": {"POST": ADMIN_PAGE},
    "wagtailadmin_pages:unlock": {"POST": ADMIN_PAGE},
    # Only a redirect to the page's history (the row below), which checks.
    "wagtailadmin_pages:revisions_index": {"GET": rule(LOGIN, DENY, DENY, DENY, ANY, ANY, ANY)},
    "wagtailadmin_pages:workflow_history": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:history": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:history_results": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:usage": {"GET": ADMIN_PAGE},
    # The page's latest revision: its content, as it was, is the course's as much as the page is.
    "wagtailadmin_pages:revisions_view": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:revisions_revert": {"GET": ADMIN_PAGE},
    "wagtailadmin_pages:revisions_unschedule": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "wagtailadmin_pages:revisions_compare": {"GET": ADMIN_PAGE},
}
for _area in matrix_areas.AREAS:
    assert not set(_area.EXPECTATIONS) & set(EXPECTATIONS), f"{_area.__name__} repeats a row"
    EXPECTATIONS.update(_area.EXPECTATIONS)
# Where a target page narrows a row: the course page itself is never deleted by its instructors.
COURSE_PAGE_OVERRIDES = {("wagtailadmin_pages:delete", "POST"): ADMIN_PAGE_NO_DELETE}

SIGER_NAMESPACES = ("lms", "live", "content", *matrix_areas.NAMESPACES)
PAGE_ID_ARGS = {"page_id", "parent_page_id", "page_to_move_id"}
REVISION_ARGS = {"revision_id"}  # a page's revision: its latest one
REVISIONS_COMPARE = "wagtailadmin_pages:revisions_compare"  # a regex route: (pk, revision_id_a, revision_id_b)
PATH_PAGE_MODELS = (CoursePage, ModulePage, LiveSessionPage, *matrix_areas.PAGE_MODELS)


def _url_name(entry: URLPattern) -> str:
    """A pattern's name; an unnamed one is known by its route, so that it cannot slip through the matrix."""
    return entry.name or f"<{entry.pattern}>"


def _walk(patterns, namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield ":".join(filter(None, [namespace, _url_name(entry)])), entry


def _pattern_args(pattern: URLPattern) -> set[str]:
    converters = getattr(pattern.pattern, "converters", None)
    return set(converters) if converters is not None else set(pattern.pattern.regex.groupindex)


def generated_url_names() -> set[str]:
    """What must be tried: every Siger view, page route, and Wagtail admin view of one page."""
    # Every view config.urls routes to itself (not through an include), named or not.
    names = {_url_name(entry) for entry in get_resolver().url_patterns if isinstance(entry, URLPattern)}
    for name, pattern in _walk(get_resolver().url_patterns):
        namespace = name.split(":")[0] if ":" in name else None
        if namespace in SIGER_NAMESPACES:
            names.add(name)
        elif namespace == "wagtailadmin_pages":
            args = _pattern_args(pattern)
            if (
                args
                and args <= PAGE_ID_ARGS | REVISION_ARGS
                or name in ("wagtailadmin_pages:add", "wagtailadmin_pages:preview_on_add", REVISIONS_COMPARE)
            ):
                names.add(name)
    for model in PATH_PAGE_MODELS:
        for pattern in model.get_subpage_urls():
            names.add(f"{model.__name__}:{pattern.name}")
    return names


def test_every_url_has_an_expectation():
    missing = sorted(generated_url_names() - set(EXPECTATIONS))
    assert "admin_login" in generated_url_names() and "<admin/password_reset/>" in generated_url_names()
    assert not missing, f"URL names with no row in the access matrix: {missing}"
    stale = sorted(set(EXPECTATIONS) - generated_url_names())
    assert not stale, f"rows for URL names that no longer exist: {stale}"


# --- The world: one course with all kinds of steps, another course, and seven people ----------------------------


@dataclass
class World:
    course: CoursePage
    module: ModulePage
    quiz: ModulePage
    block_id: str
    session: LiveSessionPage
    certificate: Certificate
    document: object
    activity: object
    people: dict[str, object]
    # What the areas of tests/security/matrix_areas/ add to the world (an assignment, a class, ...), by name.
    extra: dict[str, object] = field(default_factory=dict)


@pytest.fixture
def world(catalogue, media_root) -> World:
    instructor = user_set_role(user=UserFactory(full_name="Pengajar Ini"), role=Role.INSTRUCTOR)
    other = user_set_role(user=UserFactory(full_name="Pengajar Lain"), role=Role.INSTRUCTOR)
    administrator = user_set_role(user=UserFactory(full_name="Admin"), role=Role.ADMINISTRATOR)
    outsider, enrolled, withdrawn, graduate = (UserFactory(full_name=n) for n in ("Luar", "Aktif", "Mundur", "Lulus"))

    course = CoursePageFactory(parent=catalogue, title="Pelatihan Ini", slug="pelatihan-ini", sequential=False)
    course.instructors.set([instructor])
    course.save()
    course_instructors_sync(course=course)
    other_course = CoursePageFactory(parent=catalogue, title="Pelatihan Lain", slug="pelatihan-lain")
    other_course.instructors.set([other])
    other_course.save()
    course_instructors_sync(course=other_course)

    document_model = get_document_model()
    document = document_model(title="Bahan", uploaded_by_user=administrator)
    from django.core.files.base import ContentFile

    document.file.save("bahan.pdf", ContentFile(b"%PDF-1.4 bahan"), save=False)
    document.save()
    module = ModulePageFactory(parent=course, title="Modul Bacaan", slug="modul-bacaan")
    module.body = json.dumps([{"type": "document", "value": {"document": document.pk, "description": ""}}])
    module.save_revision().publish()
    activity = package_import(source=build_zip(package_files(title="Kuis")))
    quiz = h5p_module(course, [activity], pass_mark=50)
    now = timezone.now()
    session = LiveSessionPageFactory(
        parent=course,
        title="Webinar",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(minutes=55),
    )

    enrollment_create(user=enrolled, course=course)
    enrollment_create(user=withdrawn, course=course)
    withdrawn.enrollments.update(status=EnrollmentStatus.WITHDRAWN)
    finished = enrollment_create(user=graduate, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=finished, item=item, source="marked_done")
    people = {
        "anonymous": None,
        "outsider": outsider,
        "enrolled": enrolled,
        "withdrawn": withdrawn,
        "other_instructor": other,
        "instructor": instructor,
        "administrator": administrator,
    }
    world = World(
        course=CoursePage.objects.get(pk=course.pk),
        module=ModulePage.objects.get(pk=module.pk),
        quiz=quiz,
        block_id=block_ids(quiz)[0],
        session=LiveSessionPage.objects.get(pk=session.pk),
        certificate=Certificate.objects.get(enrollment=finished),
        document=document,
        activity=activity,
        people=people,
    )
    for area in matrix_areas.AREAS:
        area.extend_world(world)
    return world


def _page_route(page, name: str) -> str:
    return page.url + page.reverse_subpage(name)


def site_urls(w: World) -> dict[str, str]:
    s, q, c = w.session.pk, w.quiz.pk, w.certificate.code
    area_urls = {name: url for area in matrix_areas.AREAS for name, url in area.urls(w).items()}
    return area_urls | {
        "admin_login": reverse("admin_login") + "?next=/admin/pages/",
        "wagtaildocs_serve": w.document.url,
        "<admin/password_reset/>": "/admin/password_reset/",
        "<admin/api/main/pages/<int:pk>/action/<str:action_name>/>": (
            f"/admin/api/main/pages/{w.module.pk}/action/unpublish/"
        ),
        "lms:login": reverse("lms:login"),
        "lms:logout": reverse("lms:logout"),
        "lms:password_reset": reverse("lms:password_reset"),
        "lms:password_reset_done": reverse("lms:password_reset_done"),
        "lms:password_reset_confirm": reverse("lms:password_reset_confirm", args=["MQ", "set-password"]),
        "lms:password_reset_complete": reverse("lms:password_reset_complete"),
        "lms:dashboard": reverse("lms:dashboard"),
        "lms:dashboard_ics": reverse("lms:dashboard_ics"),
        "lms:work_unit_report": reverse("lms:work_unit_report"),
        "lms:certificate": reverse("lms:certificate", args=[c]),
        "lms:certificate_revoke": reverse("lms:certificate_revoke", args=[c]),
        "lms:certificate_verify": reverse("lms:certificate_verify", args=[c]),
        "lms:certificate_pdf": reverse("lms:certificate_pdf", args=[c]),
        "lms:course_certificates_zip": reverse("lms:course_certificates_zip", args=[w.course.pk]),
        "lms:xapi_statements": reverse("lms:xapi_statements", args=[q, w.block_id]),
        "lms:xapi_state": reverse("lms:xapi_state", args=[q, w.block_id]),
        "lms:activity_report": reverse("lms:activity_report", args=[q, w.block_id]),
        "lms:activity_report_csv": reverse("lms:activity_report_csv", args=[q, w.block_id]),
        "live:room": reverse("live:room", args=[s]),
        "live:checkin_code": reverse("live:checkin_code", args=[s]),
        "live:checkin": reverse("live:checkin", args=[s]),
        "live:report": reverse("live:report", args=[s]),
        "live:report_csv": reverse("live:report_csv", args=[s]),
        "live:attendance_change": reverse("live:attendance_change", args=[s]),
        "content:player": reverse("content:player", args=["forged", w.activity.uuid]),
        "content:h5p_json": reverse("content:h5p_json", args=["forged", w.activity.uuid]),
        "content:content_file": reverse("content:content_file", args=["forged", w.activity.uuid, "content.json"]),
        "content:library_file": reverse("content:library_file", args=[w.activity.uuid, "H5P.Tiny-1.0", "tiny.js"]),
        "CoursePage:course": _page_route(w.course, "course"),
        "CoursePage:index_route": _page_route(w.course, "course"),
        "CoursePage:enroll": _page_route(w.course, "enroll"),
        "CoursePage:manage": _page_route(w.course, "manage"),
        "CoursePage:progress_csv": _page_route(w.course, "progress_csv"),
        "ModulePage:module": _page_route(w.module, "module"),
        "ModulePage:index_route": _page_route(w.module, "module"),
        "ModulePage:mark_done": _page_route(w.module, "mark_done"),
        "LiveSessionPage:session": _page_route(w.session, "session"),
        "LiveSessionPage:index_route": _page_route(w.session, "session"),
        "LiveSessionPage:ics": _page_route(w.session, "ics"),
    }


POST_BODIES = {
    **{name: body for area in matrix_areas.AREAS for name, body in area.POST_BODIES.items()},
    "lms:certificate_revoke": {"alasan": "Uji matriks akses"},
    "live:checkin": {"kode": "000000"},
    "live:attendance_change": {"user_id": "0", "action": "attend", "reason": "Uji"},
}
# Wagtail's page forms read their formsets' management fields unchecked (a 500 without them).
ADMIN_POST_BODY = {
    "action-publish": "1",  # a POST to the edit view is a publish attempt
    "body-count": "0",
    "comments-TOTAL_FORMS": "0",
    "comments-INITIAL_FORMS": "0",
    "comments-MIN_NUM_FORMS": "0",
    "comments-MAX_NUM_FORMS": "1000",
}
JSON_BODIES = {
    "lms:xapi_statements": "[]",
    "lms:xapi_state": json.dumps({"state": "{}"}),
    "<admin/api/main/pages/<int:pk>/action/<str:action_name>/>": "{}",
}


def admin_urls(w: World) -> dict[tuple[str, str], str]:
    """(name, target) -> URL, for the course page and a module of it."""
    urls = {}
    for target, page in (("course", w.course), ("module", w.module)):
        for name in EXPECTATIONS:
            if not name.startswith("wagtailadmin_pages:"):
                continue
            if name in ("wagtailadmin_pages:add", "wagtailadmin_pages:preview_on_add"):
                if target == "module":
                    continue  # modules have no subpages: a module is added under the course
                urls[(name, target)] = reverse(name, args=["lms", "modulepage", page.pk])
            elif name == REVISIONS_COMPARE:
                urls[(name, target)] = reverse(name, args=[page.pk, "earliest", "latest"])
            elif name.startswith("wagtailadmin_pages:revisions_") and name != "wagtailadmin_pages:revisions_index":
                revision = page.get_latest_revision() or page.save_revision()
                urls[(name, target)] = reverse(name, args=[page.pk, revision.pk])
            else:
                urls[(name, target)] = reverse(name, args=[page.pk])
    return urls


def classify(response, *, authenticated: bool) -> str:
    status = response.status_code
    assert status < 500, f"{status} server error"
    if status == 401:
        return LOGIN
    if status in (403, 404):
        return DENY
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        if path == reverse("lms:login"):
            return LOGIN
        if path == reverse("admin_login"):
            return DENY if authenticated else LOGIN
        if path == reverse("wagtailadmin_home"):
            return DENY
    return OK


def _request(client: Client, method: str, url: str, name: str, admin_body: dict):
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif name in JSON_BODIES:
            response = client.post(url, JSON_BODIES[name], content_type="application/json")
        else:
            body = admin_body if name.startswith("wagtailadmin_pages:") else POST_BODIES.get(name, {})
            response = client.post(url, body)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_person_as_the_matrix_says(world, role):
    person = world.people[role]
    client = Client()
    if person is not None:
        client.force_login(person)
    wrong = []
    tried = 0
    # A copy needs somewhere to go (Wagtail's copy view answers 500 without it): the course itself.
    admin_body = {**ADMIN_POST_BODY, "new_parent_page": str(world.course.pk)}

    def check(name: str, method: str, url: str, expected: str) -> None:
        nonlocal tried
        tried += 1
        response = _request(client, method, url, name, admin_body)
        got = classify(response, authenticated=person is not None)
        if expected not in (ANY, got) and not (expected == REFUSED and got in (LOGIN, DENY)):
            location = response.get("Location", "")
            wrong.append(f"{method} {name} {url}: expected {expected}, got {got} ({response.status_code} {location})")
        if method == "POST" and "GET" not in EXPECTATIONS[name] and expected != ANY:
            # A POST-only view: a GET must never succeed.
            get = _request(client, "GET", url, name, admin_body)
            if get.status_code < 300:
                wrong.append(f"GET {name} {url}: a POST-only view answered {get.status_code}")

    urls = site_urls(world)
    # A row with no URL to try would pass untried.
    assert set(urls) == {name for name in EXPECTATIONS if not name.startswith("wagtailadmin_pages:")}
    logout = urls.pop("lms:logout")  # last: it ends the session, whatever the rollback
    for name, url in urls.items():
        for method, roles in EXPECTATIONS[name].items():
            check(name, method, url, roles[role])
    for (name, target), url in admin_urls(world).items():
        for method, roles in EXPECTATIONS[name].items():
            roles = COURSE_PAGE_OVERRIDES.get((name, method), roles) if target == "course" else roles
            check(f"{name}", method, url, roles[role])
    check("lms:logout", "POST", logout, EXPECTATIONS["lms:logout"]["POST"][role])

    assert tried > 60
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


# --- Room sockets ---------------------------------------------------------------------------------------------

# Who may connect to this course's live room (connect), and who may take each action once in. Actions that only
# a moderator may take answer others with an error frame whose code is "forbidden".
SOCKET_CONNECT = rule(DENY, DENY, OK, DENY, DENY, OK, OK)
MODERATOR_ONLY = rule(DENY, DENY, DENY, DENY, DENY, OK, OK)
IN_THE_ROOM = rule(DENY, DENY, OK, DENY, DENY, OK, OK)
SOCKET_EXPECTATIONS = {
    "chat.send": IN_THE_ROOM,
    "hand.raise": IN_THE_ROOM,
    "chat.delete": MODERATOR_ONLY,
    "mute": MODERATOR_ONLY,
    "unmute": MODERATOR_ONLY,
    "pin": MODERATOR_ONLY,
    "chat.close": MODERATOR_ONLY,
    "chat.open": MODERATOR_ONLY,
    "hand.lower": MODERATOR_ONLY,  # someone else's hand; one's own is lowered by anyone
}


def test_every_socket_action_has_an_expectation():
    assert set(RoomConsumer.HANDLERS) == set(SOCKET_EXPECTATIONS)


REPLY_TYPES = {
    "chat.send": "chat.ack",
    "hand.raise": "hand",
    "chat.delete": "chat.deleted",
    "mute": "participant.muted",
    "unmute": "participant.muted",
    "pin": "room.state",
    "chat.close": "room.state",
    "chat.open": "room.state",
    "hand.lower": "hand",
}
# Order: the chat is closed and opened again last, so that chat.send is tried while it is open.
SOCKET_ORDER = (
    *("chat.send", "hand.raise", "chat.delete", "mute", "unmute", "pin", "hand.lower"),
    *("chat.close", "chat.open"),
)


def _socket_payloads(w: World, target_message_id: int) -> dict[str, dict]:
    graduate_id = w.certificate.enrollment.user_id
    return {
        "chat.send": {"text": "Selamat pagi", "client_id": "m-1"},
        "hand.raise": {},
        "chat.delete": {"id": target_message_id},
        "mute": {"user_id": graduate_id},
        "unmute": {"user_id": graduate_id},
        "pin": {"text": "Pengumuman"},
        "chat.close": {},
        "chat.open": {},
        "hand.lower": {"user_id": graduate_id},
    }


async def _answer(socket, reply_type: str) -> dict:
    """The next frame that answers an action: its own reply type, or an error (frames such as presence may come
    in between)."""
    import asyncio

    from tests.live.sockets import TIMEOUT

    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        frame = await socket.next(timeout=max(0.1, deadline - loop.time()))
        if frame["type"] in (reply_type, "error"):
            return frame


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_socket_action_answers_each_person_as_the_matrix_says(world, role):
    from live.models import ChatMessage
    from tests.live.aio import async_test
    from tests.live.sockets import join, refused

    person = world.people[role]
    message = ChatMessage.objects.create(
        session=world.session, author=world.certificate.enrollment.user, text="Pesan yang akan dihapus"
    )
    payloads = _socket_payloads(world, message.pk)
    assert set(SOCKET_ORDER) == set(SOCKET_EXPECTATIONS)

    @async_test
    async def run() -> list[str]:
        if SOCKET_CONNECT[role] == DENY:
            accepted = not await refused(user=person, session_id=world.session.pk)
            return ["connect: expected deny, the room accepted the socket"] if accepted else []
        wrong = []
        socket, _hello = await join(user=person, session_id=world.session.pk)
        try:
            for action in SOCKET_ORDER:
                await socket.send(action, **payloads[action])
                reply = await _answer(socket, REPLY_TYPES[action])
                got = DENY if reply["type"] == "error" and reply.get("code") == "forbidden" else OK
                if got != SOCKET_EXPECTATIONS[action][role]:
                    wrong.append(f"{action}: expected {SOCKET_EXPECTATIONS[action][role]}, got {got} ({reply})")
        finally:
            await socket.close()
        return wrong

    wrong = run()
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
