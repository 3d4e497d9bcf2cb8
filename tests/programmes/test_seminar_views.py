"""The seminar's views: the manager's schedule, the examiner's list and rubric form, the participant's card."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.factories import UserFactory
from lms.programmes.models import GuideRole, ParticipantGuide, SeminarScoreSheet, SeminarSlot
from lms.programmes.seminar import seminar_sheet_save, seminar_slot_set
from tests.conftest import client_for
from tests.programmes.conftest import add_examiner, enroll

pytestmark = pytest.mark.django_db

FULL = {"substansi": 80, "penyajian": 90, "tanya_jawab": 70}
# The other examiner's numbers and words: chosen so that they appear nowhere else on the page.
SECRET = {"substansi": "61.25", "penyajian": "62.75", "tanya_jawab": "63.50"}


def shown(number: str) -> str:
    """A number as the Indonesian interface writes it (decimal comma)."""
    return number.replace(".", ",")


def score_url(enrollment) -> str:
    return reverse("programmes:seminar_score", args=[enrollment.pk])


def post_scores(client, enrollment, scores: dict, *, submit: bool, comment: str = ""):
    body = {f"score-{key}": value for key, value in scores.items()} | {"comment": comment}
    if submit:
        body["submit"] = "1"
    return client.post(score_url(enrollment), body)


def test_when_examiner_has_not_submitted_then_page_has_no_other_examiners_scores(run):
    enrollment = enroll(run)
    first = add_examiner(enrollment, UserFactory(full_name="Penguji Pertama"))
    second = add_examiner(enrollment, UserFactory(full_name="Penguji Kedua"))
    seminar_sheet_save(enrollment=enrollment, examiner=second, scores=SECRET, comment="CATATAN-KEDUA", submit=True)
    client = client_for(first)

    before = client.get(score_url(enrollment)).content.decode()

    assert "Kirim nilai" in before and "return confirm(" in before
    for secret in [*SECRET.values(), "62.15", "CATATAN-KEDUA", "Penguji Kedua"]:
        assert secret not in before and shown(secret) not in before
    response = post_scores(client, enrollment, FULL, submit=True)
    assert response.status_code == 302
    after = client.get(score_url(enrollment)).content.decode()
    # Now the other sheet and the panel result: (81.00 + 62.15) / 2 = 71.58
    second_total = SeminarScoreSheet.objects.get(examiner=second).total
    assert second_total == Decimal("62.15")
    assert "CATATAN-KEDUA" in after and shown("62.15") in after and "Penguji Kedua" in after
    assert shown(SECRET["penyajian"]) in after
    assert 'id="panel-result">71,58<' in after


def test_when_examiner_submits_but_panel_incomplete_then_no_panel_result(run):
    enrollment = enroll(run)
    first, second = add_examiner(enrollment), add_examiner(enrollment)
    seminar_sheet_save(enrollment=enrollment, examiner=second, scores=SECRET, comment="", submit=False)
    client = client_for(first)

    post_scores(client, enrollment, FULL, submit=True)
    page = client.get(score_url(enrollment)).content.decode()

    assert 'id="panel-result"' not in page
    assert shown("61.25") not in page and "61.25" not in page  # a draft is never shown to the others
    assert "1 dari 2 penguji" in page


def test_when_examiner_of_another_participant_then_refused_and_nothing_saved(run):
    mine, theirs = enroll(run), enroll(run)
    examiner = add_examiner(mine)
    client = client_for(examiner)

    assert client.get(score_url(theirs)).status_code == 403
    assert post_scores(client, theirs, FULL, submit=True).status_code == 403
    assert not SeminarScoreSheet.objects.exists()


@pytest.mark.parametrize(
    ("scores", "submit", "message"),
    [
        ({**FULL, "penyajian": "150"}, False, "antara 0 dan 100"),
        ({**FULL, "penyajian": "sembilan"}, True, "antara 0 dan 100"),
        ({"substansi": "80"}, True, "Isi nilai setiap kriteria"),
    ],
)
def test_when_bad_scores_posted_then_400_with_message_and_nothing_saved(run, scores, submit, message):
    enrollment = enroll(run)
    examiner = add_examiner(enrollment)

    response = post_scores(client_for(examiner), enrollment, scores, submit=submit)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="80"' in page  # what the examiner typed is kept in the form
    assert not SeminarScoreSheet.objects.exists()


def test_when_draft_saved_with_decimal_comma_then_kept_unsubmitted_and_editable(run):
    enrollment = enroll(run)
    examiner = add_examiner(enrollment)
    client = client_for(examiner)

    response = post_scores(client, enrollment, {"substansi": "85,5"}, submit=False, comment="awal")

    assert response.status_code == 302
    sheet = SeminarScoreSheet.objects.get()
    assert sheet.scores == {"substansi": "85.50"} and sheet.submitted_at is None
    page = client.get(score_url(enrollment)).content.decode()
    assert 'value="85.50"' in page and "Draf tersimpan" in page


def test_when_submitted_via_form_then_final_total_and_form_gone(run):
    enrollment = enroll(run)
    examiner = add_examiner(enrollment)
    client = client_for(examiner)

    post_scores(client, enrollment, FULL, submit=True)

    sheet = SeminarScoreSheet.objects.get()
    assert sheet.submitted_at is not None and sheet.total == Decimal("81.00")
    page = client.get(score_url(enrollment)).content.decode()
    assert 'id="rubric"' not in page and shown("81.00") in page
    assert post_scores(client, enrollment, {**FULL, "substansi": 100}, submit=True).status_code == 400
    assert SeminarScoreSheet.objects.get().total == Decimal("81.00")


def test_when_form_shown_then_phone_inputs_with_weight_and_description(run):
    criterion = run.seminar_criteria.get(key="substansi")
    criterion.description = "Kedalaman analisis masalah dan solusi."
    criterion.save()
    enrollment = enroll(run)
    page = client_for(add_examiner(enrollment)).get(score_url(enrollment)).content.decode()

    assert page.count('inputmode="decimal"') == 3
    assert "Kedalaman analisis masalah dan solusi." in page and "bobot 50%" in page
    assert "Simpan draf" in page and "Kirim nilai" in page


def test_when_examiner_opens_list_then_only_own_participants_with_slot_and_state(run, seminar_session):
    mine, drafted, theirs = enroll(run), enroll(run), enroll(run)
    examiner = add_examiner(mine)
    add_examiner(drafted, examiner)
    add_examiner(theirs)
    when = timezone.make_aware(datetime.datetime(2027, 3, 1, 9, 30))
    seminar_slot_set(session=seminar_session, enrollment=mine, starts_at=when, room="Ruang Garuda", by=examiner)
    seminar_sheet_save(enrollment=drafted, examiner=examiner, scores={"substansi": 70}, comment="", submit=False)

    page = client_for(examiner).get(reverse("programmes:seminar_mine")).content.decode()

    assert f'data-enrollment="{mine.pk}"' in page and f'data-enrollment="{drafted.pk}"' in page
    assert f'data-enrollment="{theirs.pk}"' not in page
    assert "Ruang Garuda" in page and "09:30" in page
    assert "Draf, belum dikirim" in page and "Belum dinilai" in page


def test_when_manager_sets_slot_and_examiner_then_schedule_shows_them(run, seminar_session, administrator):
    enrollment = enroll(run)
    examiner = UserFactory(full_name="Penguji Baru")
    client = client_for(administrator)
    url = reverse("programmes:seminar_schedule", args=[run.pk])

    response = client.post(
        reverse("programmes:seminar_slot", args=[run.pk]),
        {"enrollment": enrollment.pk, "session": seminar_session.pk, "starts_at": "2027-03-01T10:15", "room": "Aula"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("programmes:seminar_examiner_add", args=[run.pk]), {"enrollment": enrollment.pk, "nip": examiner.nip}
    )
    assert response.status_code == 302

    slot = SeminarSlot.objects.get()
    assert timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M") == "2027-03-01 10:15"
    assert ParticipantGuide.objects.get(role=GuideRole.EXAMINER).user == examiner
    page = client.get(url).content.decode()
    assert "Penguji Baru" in page and "10:15" in page and "Aula" in page
    # "Ubah jadwal" opens the one scheduling form with this participant and their slot filled in.
    form = client.get(url, {"peserta": enrollment.pk}).content.decode().split('id="slot-form"')[1].split("</form>")[0]
    assert f'<option value="{enrollment.pk}" selected>' in form and 'value="2027-03-01T10:15"' in form


@pytest.mark.parametrize(
    "body",
    [
        {"starts_at": "besok pagi", "room": "Aula"},
        {"starts_at": "", "room": "Aula"},
        {"starts_at": "2027-03-01T10:15", "session": "999999"},
        {"starts_at": "2027-03-01T10:15", "enrollment": "999999"},
    ],
)
def test_when_slot_input_bad_then_400_and_nothing_saved(run, seminar_session, administrator, body):
    enrollment = enroll(run)
    data = {"enrollment": enrollment.pk, "session": seminar_session.pk} | body

    response = client_for(administrator).post(reverse("programmes:seminar_slot", args=[run.pk]), data)

    assert response.status_code == 400
    assert not SeminarSlot.objects.exists()


def test_when_examiner_nip_unknown_then_400_and_nothing_saved(run, administrator):
    enrollment = enroll(run)
    response = client_for(administrator).post(
        reverse("programmes:seminar_examiner_add", args=[run.pk]), {"enrollment": enrollment.pk, "nip": "1" * 18}
    )
    assert response.status_code == 400
    assert "tidak dikenal" in response.content.decode()
    assert not ParticipantGuide.objects.exists()


def test_when_manager_ends_examiner_then_kept_as_history(run, administrator):
    enrollment = enroll(run)
    add_examiner(enrollment)
    guide = ParticipantGuide.objects.get()

    response = client_for(administrator).post(reverse("programmes:seminar_examiner_end", args=[guide.pk]))

    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.ended_at is not None


def test_when_slot_passed_without_sheet_then_late_shown_and_complete_when_all_submitted(
    run, seminar_session, administrator
):
    late, done = enroll(run), enroll(run)
    late_examiner, done_examiner = add_examiner(late), add_examiner(done)
    past = timezone.now() - datetime.timedelta(hours=2)
    seminar_slot_set(session=seminar_session, enrollment=late, starts_at=past, room="", by=administrator)
    seminar_slot_set(session=seminar_session, enrollment=done, starts_at=past, room="", by=administrator)
    seminar_sheet_save(enrollment=done, examiner=done_examiner, scores=FULL, comment="", submit=True)

    page = client_for(administrator).get(reverse("programmes:seminar_schedule", args=[run.pk])).content.decode()

    late_row = page.split(f'data-enrollment="{late.pk}"')[1].split("</tr>")[0]
    done_row = page.split(f'data-enrollment="{done.pk}"')[1].split("</tr>")[0]
    assert "terlambat" in late_row and late_examiner.get_full_name() in late_row
    assert "terlambat" not in done_row and "terkirim" in done_row and ">lengkap<" in done_row
    assert "1 dari 2 panel lengkap" in page


def test_when_other_instructor_opens_schedule_then_refused(run, instructor):
    assert client_for(instructor).get(reverse("programmes:seminar_schedule", args=[run.pk])).status_code == 403


def test_when_participant_opens_record_then_slot_and_only_panel_result_once_complete(run, seminar_session):
    enrollment = enroll(run)
    first, second = add_examiner(enrollment), add_examiner(enrollment)
    when = timezone.make_aware(datetime.datetime(2027, 3, 2, 13, 45))
    seminar_slot_set(session=seminar_session, enrollment=enrollment, starts_at=when, room="Ruang Siger", by=first)
    seminar_sheet_save(enrollment=enrollment, examiner=first, scores=SECRET, comment="", submit=True)
    client = client_for(enrollment.user)
    url = reverse("programmes:participant", args=[enrollment.pk])

    before = client.get(url).content.decode()

    assert "Ruang Siger" in before and "13:45" in before
    assert shown("62.15") not in before and "seminar-panel-result" not in before
    seminar_sheet_save(enrollment=enrollment, examiner=second, scores=FULL, comment="", submit=True)
    after = client.get(url).content.decode()
    assert 'id="seminar-panel-result">71,58<' in after
    assert shown("62.15") not in after and shown("81.00") not in after  # one examiner's total is never shown here
