"""A learner signs in through the province's provider (a real oidc-provider on loopback) from a course link."""

from __future__ import annotations

from playwright.sync_api import expect

from lms.factories import EnrollmentFactory, UserFactory, nip_make
from tests.sso.fixtures import oidc_provider_fixture, sso_settings_fixture  # noqa: F401 fixtures


def test_learner_signs_in_with_sso_and_lands_on_the_deep_linked_course(page, live_url, sso_settings, course):
    learner = UserFactory(nip=nip_make(seed=701), full_name="Sri Wahyuni")
    EnrollmentFactory(user=learner, course=course)
    login = sso_settings.account_set("sri", nip=learner.nip, email=learner.email, email_verified=True)

    page.goto(f"{live_url}{course.url}")
    page.get_by_role("link", name="Masuk untuk mendaftar").click()
    page.get_by_role("link", name="Masuk dengan SSO").click()
    page.wait_for_url(f"{sso_settings.issuer}/interaction/**")
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("rahasia")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{live_url}{course.url}")

    expect(page.locator("header.top")).to_contain_text("Sri")
    expect(page.locator("header.top")).to_contain_text(learner.nip)
    expect(page.get_by_role("heading", level=1)).to_contain_text(course.title)
    # The provider's own pages are outside the site (and its dev page imports a web font): only script errors count.
    assert [error for error in page.js_errors if not error.startswith("request outside the site")] == []
