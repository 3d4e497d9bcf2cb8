"""SSO round trips with a real HTTP client: Siger on a live ASGI server, panva's oidc-provider on loopback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from lms.factories import (
    CoursePageFactory,
    EnrollmentFactory,
    LiveSessionPageFactory,
    ModulePageFactory,
    UserFactory,
    WorkUnitFactory,
    nip_make,
)
from lms.models import EnrollmentStatus, User
from lms.setup import site_ensure_catalogue
from tests.conftest import _wagtail_roots
from tests.sso.fixtures import (  # noqa: F401 fixtures
    oidc_provider_fixture,
    provider_login_form,
    signed_in_user_id,
    sso_callback_url,
    sso_configure,
    sso_settings_fixture,
    sso_sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _spaced(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


@pytest.fixture
def course_tree(transactional_db):
    _wagtail_roots()
    course = CoursePageFactory(parent=site_ensure_catalogue(), title="Latsar SSO", slug="latsar-sso")
    module = ModulePageFactory(parent=course, title="Modul SSO", slug="modul-sso")
    session = LiveSessionPageFactory(parent=course, title="Webinar SSO", slug="webinar-sso")
    return course, module, session


def test_when_nip_claim_matches_then_signed_in_on_the_deep_linked_module(live_url, sso_settings, course_tree):
    course, module, _session = course_tree
    learner = UserFactory(nip=nip_make(seed=501), full_name="Sari Peserta")
    EnrollmentFactory(user=learner, course=course)
    login = sso_settings.account_set("sari", nip=_spaced(learner.nip), email="lain@example.org", email_verified=True)

    response, http = sso_sign_in(live_url, login, next_url=module.url)

    assert response.status_code == 200
    assert response.url == f"{live_url}{module.url}"
    assert signed_in_user_id(http) == learner.pk
    assert "Sari" in response.text
    assert User.objects.filter(nip=learner.nip).count() == 1


def test_when_sso_starts_then_pkce_state_and_nonce_are_sent(live_url, sso_settings):
    response = requests.get(f"{live_url}/masuk/sso/", allow_redirects=False, timeout=10)

    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert response.headers["Location"].startswith(f"{sso_settings.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{live_url}/masuk/sso/callback/"]
    assert set(query["scope"][0].split()) >= {"openid", "email", "nip"}


def test_when_no_nip_claim_then_matched_by_verified_email(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=502), email="Budi.Santoso@Lampungprov.go.id")
    login = sso_settings.account_set("budi", email="budi.santoso@lampungprov.go.id", email_verified=True)

    response, http = sso_sign_in(live_url, login)

    assert response.url == f"{live_url}/saya/"
    assert signed_in_user_id(http) == learner.pk


def test_when_email_not_verified_then_refused(live_url, sso_settings, transactional_db):
    UserFactory(nip=nip_make(seed=503), email="tono@lampungprov.go.id")
    login = sso_settings.account_set("tono", email="tono@lampungprov.go.id", email_verified=False)

    response, http = sso_sign_in(live_url, login)

    assert response.status_code == 403
    assert "NIP maupun email terverifikasi" in response.text
    assert signed_in_user_id(http) is None


def test_when_nip_unknown_then_refused_with_a_page_and_no_account_made(live_url, sso_settings, transactional_db):
    before = User.objects.count()
    # The email belongs to someone else: a NIP claim is matched by NIP only, never by that email.
    other = UserFactory(nip=nip_make(seed=504), email="dewi@lampungprov.go.id")
    login = sso_settings.account_set(
        "dewi", nip=nip_make(seed=505), email="dewi@lampungprov.go.id", email_verified=True
    )

    response, http = sso_sign_in(live_url, login, next_url="/pelatihan/")

    assert response.status_code == 403
    assert "belum terdaftar" in response.text and "BPSDM" in response.text
    assert 'href="/masuk/?next=/pelatihan/"' in response.text
    assert signed_in_user_id(http) is None
    assert User.objects.count() == before + 1 and other.pk


def test_when_creation_is_on_then_one_account_from_claims_and_never_a_second(
    live_url, sso_settings, settings, transactional_db
):
    settings.SIGER_OIDC_CREATE_USERS = True
    opd = WorkUnitFactory(name="Dinas Kominfo Provinsi Lampung")
    nip = nip_make(seed=506)
    login = sso_settings.account_set(
        "rina",
        nip=nip,
        name="Rina Wulandari, S.Kom.",
        email="rina@lampungprov.go.id",
        email_verified=True,
        opd="dinas kominfo provinsi lampung",
    )

    first, http_first = sso_sign_in(live_url, login)
    second, http_second = sso_sign_in(live_url, login)

    user = User.objects.get(nip=nip)
    assert first.status_code == second.status_code == 200
    assert signed_in_user_id(http_first) == signed_in_user_id(http_second) == user.pk
    assert (user.full_name, user.email, user.work_unit_id) == (
        "Rina Wulandari, S.Kom.",
        "rina@lampungprov.go.id",
        opd.pk,
    )
    assert not user.has_usable_password()
    assert User.objects.filter(nip=nip).count() == 1


def test_when_nip_exists_and_creation_is_on_then_no_duplicate(live_url, sso_settings, settings, transactional_db):
    settings.SIGER_OIDC_CREATE_USERS = True
    learner = UserFactory(nip=nip_make(seed=507), full_name="Andi")
    login = sso_settings.account_set("andi", nip=learner.nip, name="Andi Lain", email="x@y.id", email_verified=True)

    _response, http = sso_sign_in(live_url, login)

    assert signed_in_user_id(http) == learner.pk
    assert User.objects.filter(nip=learner.nip).count() == 1
    learner.refresh_from_db()
    assert learner.full_name == "Andi"  # what the administrator entered is kept


def test_when_account_deactivated_then_refused(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=508), is_active=False)
    login = sso_settings.account_set("nonaktif", nip=learner.nip)

    response, http = sso_sign_in(live_url, login)

    assert response.status_code == 403
    assert "dinonaktifkan" in response.text
    assert signed_in_user_id(http) is None


def test_when_withdrawn_learner_then_may_still_sign_in(live_url, sso_settings, course_tree):
    course, _module, _session = course_tree
    learner = UserFactory(nip=nip_make(seed=509))
    EnrollmentFactory(user=learner, course=course, status=EnrollmentStatus.WITHDRAWN)
    login = sso_settings.account_set("mundur", nip=learner.nip)

    _response, http = sso_sign_in(live_url, login)

    assert signed_in_user_id(http) == learner.pk


def test_when_state_is_forged_then_refused_and_nobody_signed_in(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=510))
    login = sso_settings.account_set("palsu", nip=learner.nip)
    http = requests.Session()
    callback = sso_callback_url(http, live_url, login)
    query = parse_qs(urlsplit(callback).query)

    forged = http.get(
        f"{live_url}/masuk/sso/callback/", params={"code": query["code"][0], "state": "forged"}, timeout=10
    )
    no_state = http.get(f"{live_url}/masuk/sso/callback/", params={"code": query["code"][0]}, timeout=10)
    other_browser = requests.get(callback, timeout=10)  # a stolen callback URL opened elsewhere

    for response in (forged, no_state, other_browser):
        assert response.status_code == 400
        assert "kedaluwarsa atau tidak dimulai dari Siger" in response.text
    assert signed_in_user_id(http) is None


def test_when_callback_is_replayed_then_the_second_is_refused(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=511))
    login = sso_settings.account_set("ulang", nip=learner.nip)
    http = requests.Session()
    callback = sso_callback_url(http, live_url, login)

    first = http.get(callback, timeout=10)
    second = http.get(callback, timeout=10)

    assert first.status_code == 200 and signed_in_user_id(http) == learner.pk
    assert second.status_code == 400


def test_when_code_is_unknown_to_the_provider_then_refused_not_500(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=512))
    login = sso_settings.account_set("kadaluarsa", nip=learner.nip)
    http = requests.Session()
    callback = sso_callback_url(http, live_url, login)
    state = parse_qs(urlsplit(callback).query)["state"][0]

    response = http.get(f"{live_url}/masuk/sso/callback/", params={"code": "expired-code", "state": state}, timeout=10)

    assert response.status_code == 400
    assert "kedaluwarsa" in response.text
    assert signed_in_user_id(http) is None


def test_when_nonce_differs_then_refused(live_url, sso_settings, transactional_db):
    """The library's nonce check, seen working: the id_token's nonce must be the one this session sent."""
    from importlib import import_module

    from django.conf import settings

    learner = UserFactory(nip=nip_make(seed=513))
    login = sso_settings.account_set("nonce", nip=learner.nip)
    http = requests.Session()
    callback = sso_callback_url(http, live_url, login)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=http.cookies["sessionid"])
    for entry in store["oidc_states"].values():
        entry["nonce"] = "not-the-one-sent"
    store.save()

    response = http.get(callback, timeout=10)

    assert response.status_code == 502
    assert signed_in_user_id(http) is None


def test_when_person_cancels_at_the_provider_then_refused_with_a_page(live_url, sso_settings, transactional_db):
    http = requests.Session()
    start = http.get(f"{live_url}/masuk/sso/", params={"next": "/saya/"}, timeout=10)
    abort = provider_login_form(start) + "/abort"  # the login page's "[ Cancel ]" link

    response = http.get(abort, timeout=10)

    assert response.url.startswith(f"{live_url}/masuk/sso/callback/?error=access_denied")
    assert response.status_code == 400
    assert "dibatalkan" in response.text
    assert 'href="/masuk/?next=/saya/"' in response.text


def test_when_next_is_another_host_then_it_is_ignored(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=514))
    login = sso_settings.account_set("tujuan", nip=learner.nip)

    for target in ("https://evil.example/pelatihan/", "//evil.example/x", "/\\evil.example"):
        response, http = sso_sign_in(live_url, login, next_url=target)
        assert response.url == f"{live_url}/saya/", target
        assert signed_in_user_id(http) == learner.pk


def test_deep_links_survive_the_round_trip(live_url, sso_settings, course_tree):
    """Anonymous: a module, a live session page and its room send to the login page with next; the course page
    links there with next. SSO from that login page lands on the same URL, signed in."""
    course, module, session = course_tree
    learner = UserFactory(nip=nip_make(seed=515))
    EnrollmentFactory(user=learner, course=course)
    login = sso_settings.account_set("tautan", nip=learner.nip)
    room = f"/live/{session.pk}/"

    for target in (course.url, module.url, session.url, room):
        anonymous = requests.Session()
        landing = anonymous.get(f"{live_url}{target}", timeout=10)
        if target == course.url:
            assert f'/masuk/?next={target}"' in landing.text
            landing = anonymous.get(f"{live_url}/masuk/?next={target}", timeout=10)
        assert urlsplit(landing.url).path == "/masuk/", target
        assert parse_qs(urlsplit(landing.url).query).get("next", [target]) == [target]
        assert f'href="/masuk/sso/?next={target}"' in landing.text, target
        sso_start = landing.text.split('href="/masuk/sso/?next=')[1].split('"')[0]

        response, http = sso_sign_in(live_url, login, next_url=requests.utils.unquote(sso_start), http=anonymous)

        assert response.url == f"{live_url}{target}", target
        assert response.status_code == 200, target
        assert signed_in_user_id(http) == learner.pk


def test_when_already_signed_in_then_direct_entry_goes_straight_to_next(live_url, sso_settings, course_tree):
    course, module, _session = course_tree
    learner = UserFactory(nip=nip_make(seed=516))
    EnrollmentFactory(user=learner, course=course)
    login = sso_settings.account_set("langsung", nip=learner.nip)
    _response, http = sso_sign_in(live_url, login)

    again = http.get(f"{live_url}/masuk/sso/", params={"next": module.url}, allow_redirects=False, timeout=10)

    assert again.status_code == 302 and again.headers["Location"] == module.url


def test_when_provider_is_down_then_a_page_not_a_500(live_url, settings, transactional_db):
    from tests.net import free_port

    sso_configure(settings, f"http://127.0.0.1:{free_port()}")

    response = requests.get(f"{live_url}/masuk/sso/", timeout=30)

    assert response.status_code == 502
    assert "tidak dapat dihubungi" in response.text


def test_when_discovery_names_another_issuer_then_refused(live_url, settings, oidc_provider, transactional_db):
    # The same provider reached under another name: its document says it is 127.0.0.1, not localhost.
    sso_configure(settings, oidc_provider.issuer.replace("127.0.0.1", "localhost"))

    response = requests.get(f"{live_url}/masuk/sso/", allow_redirects=False, timeout=10)

    assert response.status_code == 502


def test_local_login_still_works_with_sso_on(live_url, sso_settings, transactional_db):
    learner = UserFactory(nip=nip_make(seed=517))
    http = requests.Session()
    form = http.get(f"{live_url}/masuk/", timeout=10)
    token = http.cookies["csrftoken"]

    response = http.post(
        f"{live_url}/masuk/?code=x&state=y",
        data={"csrfmiddlewaretoken": token, "username": _spaced(learner.nip), "password": "siger2026"},
        headers={"Referer": f"{live_url}/masuk/"},
        timeout=10,
    )

    assert "Masuk dengan SSO Lampung-In" in form.text
    assert response.url == f"{live_url}/saya/"
    assert signed_in_user_id(http) == learner.pk
