"""Issue 7 §1 in a browser: a malicious H5P library, uploaded like any package, runs on a module page next to a hub
MultiChoice. Its code tries what an attacker's would: read the site's cookies, reach the module page's DOM, make
a credentialed request to the admin, open the viewer's webinar socket. Every attempt fails, and the MultiChoice
on the same page still scores."""

import datetime
import json

import pytest
from django.utils import timezone

from content.services import package_import
from live.models import PresenceInterval
from lms.factories import CoursePageFactory, LiveSessionPageFactory
from lms.models import ActivityAttempt, SessionKind
from lms.services import enrollment_create
from tests.e2e.test_h5p import open_module, wait_for
from tests.h5p_fixtures import (
    build_zip,
    h5p_module,
    library_json,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
    package_files,
    sample,
)

pytestmark = [pytest.mark.e2e, needs_samples]

EVIL_JS = """
H5P.Evil = function () {};
H5P.Evil.prototype.attach = function ($container) {
  var SITE = %(site)s, WS = %(ws)s, OWN_LIBRARY = H5P.getLibraryPath("H5P.Evil-1.0") + "/library.json";
  var results = {};
  var box = document.createElement("pre");
  box.id = "evil-results";
  $container.get(0).appendChild(box);
  function done(name, value) {
    results[name] = value;
    box.textContent = JSON.stringify(results);
    if (Object.keys(results).length === 8) box.setAttribute("data-done", "1");
  }
  function attempt(name, steal) {
    try { done(name, { ok: true, value: String(steal()) }); } catch (e) { done(name, { ok: false, error: String(e) }); }
  }
  attempt("cookie", function () { return document.cookie; });
  attempt("parentDocument", function () { return parent.document.location.origin + " " + parent.document.cookie; });
  attempt("topDocument", function () { return top.document.cookie + " " + top.document.body.innerHTML.length; });
  fetch(SITE + "/admin/", { credentials: "include" }).then(function (response) {
    return response.text().then(function (text) {
      done("fetchAdmin", { ok: true, value: response.status + " " + text.slice(0, 300) });
    });
  }, function (error) { done("fetchAdmin", { ok: false, error: String(error) }); });
  // Through its own host, which sends anything but H5P to the site.
  fetch("/admin/", { credentials: "include" }).then(function (response) {
    return response.text().then(function (text) {
      done("fetchAdminViaOwnHost", { ok: true, value: response.status + " " + text.slice(0, 300) });
    });
  }, function (error) { done("fetchAdminViaOwnHost", { ok: false, error: String(error) }); });
  // The control: the same code can fetch from its own origin, so a failure above is the isolation at work.
  fetch(OWN_LIBRARY).then(
    function (response) { done("fetchOwn", { ok: response.ok, value: String(response.status) }); },
    function (error) { done("fetchOwn", { ok: false, error: String(error) }); }
  );
  function openSocket(name, url) {
    var settled = false;
    function socket(result) { if (!settled) { settled = true; done(name, result); } }
    try {
      var ws = new WebSocket(url);
      ws.onopen = function () {
        socket({ ok: true, value: "open" });
        ws.send(JSON.stringify({ type: "chat", text: "pwned" }));
      };
      ws.onerror = function () { socket({ ok: false, error: "error" }); };
      ws.onclose = function (event) { socket({ ok: false, error: "closed " + event.code }); };
    } catch (error) { socket({ ok: false, error: String(error) }); }
  }
  openSocket("websocket", WS);
  // The same server answers websockets on the player's own host name (allowed by connect-src 'self'): there
  // the browser sends no session and an Origin the room refuses.
  openSocket("websocketViaOwnHost", WS.replace("127.0.0.1", "localhost"));
};
"""


def _evil_package(site: str, ws: str) -> dict:
    files = package_files(title="Kuis Biasa", library=library_json(name="H5P.Evil"))
    files["H5P.Evil-1.0/tiny.js"] = EVIL_JS % {"site": json.dumps(site), "ws": json.dumps(ws)}
    return files


def test_a_malicious_library_reaches_nothing_of_the_site_while_a_multichoice_beside_it_scores(
    page, live_url, catalogue, learner, media_root
):
    choice = package_import(source=str(sample("H5P.MultiChoice")))
    course = CoursePageFactory(parent=catalogue, title="Pelatihan H5P", slug="pelatihan-h5p", sequential=False)
    now = timezone.now()
    webinar = LiveSessionPageFactory(
        parent=course,
        title="Webinar",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=30),
    )
    ws = live_url.replace("http://", "ws://") + f"/ws/live/{webinar.pk}/"
    player_origin = live_url.replace("127.0.0.1", "localhost")
    evil = package_import(source=build_zip(_evil_package(live_url, ws)))
    module = h5p_module(course, [evil, choice], slug="modul-jahat", pass_mark=100)
    enrollment_create(user=learner, course=course)

    open_module(page, live_url, learner, module)
    site_cookies = {c["name"] for c in page.context.cookies(live_url)}
    assert {"sessionid", "csrftoken"} <= site_cookies  # there is something to steal

    frames = page.frame_locator("iframe.h5p-frame >> nth=0").frame_locator("iframe.h5p-iframe")
    report = frames.locator("#evil-results[data-done='1']")
    report.wait_for(state="attached", timeout=20_000)
    results = json.loads(report.text_content())

    assert results["fetchOwn"] == {"ok": True, "value": "200"}, results  # the code did run, and fetch works
    assert "csrftoken" not in results["cookie"].get("value", "") and "sessionid" not in results["cookie"]["value"]
    # parent of the content frame is our player page, on the player origin: nothing of the site is there.
    parent = results["parentDocument"]
    assert not parent["ok"] or (parent["value"].startswith(player_origin) and "csrftoken" not in parent["value"])
    assert results["topDocument"]["ok"] is False and "SecurityError" in results["topDocument"]["error"], results
    assert results["fetchAdmin"]["ok"] is False, results
    assert results["fetchAdminViaOwnHost"]["ok"] is False, results  # redirected to the site: refused by the CSP
    assert results["websocket"]["ok"] is False, results
    assert results["websocketViaOwnHost"]["ok"] is False, results
    assert not PresenceInterval.objects.filter(user=learner).exists()
    # What blocked them: the player's policy, which the browser reported.
    violations = [e for e in page.js_errors if "Content Security Policy" in e]
    assert any("/admin/" in e for e in violations) and any("/ws/live/" in e for e in violations), page.js_errors
    assert [e for e in page.js_errors if e not in violations] == []

    # The hub MultiChoice beside it plays and scores as usual.
    content = page.frame_locator("iframe.h5p-frame >> nth=1").frame_locator("iframe.h5p-iframe")
    content.get_by_text("Very dark purple", exact=True).first.click()
    content.locator(".h5p-question-check-answer").click()
    attempt = wait_for(lambda: ActivityAttempt.objects.filter(user=learner, module_id=module.pk).first())
    assert (attempt.raw_score, attempt.max_score) == (1, 1) and attempt.passed
