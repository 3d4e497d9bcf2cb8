"""Presence intervals → minutes present → attendance → progress; classroom check-in; report and overrides."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.utils import timezone

from live import services
from live.models import Attendance, PresenceInterval
from live.selectors import attendance_seconds, presence_list, presence_ttl_seconds
from lms.models import ItemProgress, ProgressSource, ProgressStatus
from tests.conftest import client_for

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def _interval(minutes_from: float, minutes_to: float | None, *, last_seen: float | None = None):
    started = T0 + datetime.timedelta(minutes=minutes_from)
    ended = T0 + datetime.timedelta(minutes=minutes_to) if minutes_to is not None else None
    seen = T0 + datetime.timedelta(minutes=last_seen) if last_seen is not None else ended or started
    return PresenceInterval(started_at=started, ended_at=ended, last_seen_at=seen)


def _schedule(session, minutes: int = 100):
    session.starts_at, session.ends_at = T0, T0 + datetime.timedelta(minutes=minutes)
    return session


def test_when_tabs_and_reconnects_overlap_then_time_counts_once(session):
    _schedule(session)
    intervals = [_interval(0, 30), _interval(10, 40), _interval(35, 50), _interval(60, 70)]
    assert attendance_seconds(session=session, intervals=intervals, now=T0 + datetime.timedelta(hours=3)) == 60 * 60


def test_when_interval_outside_schedule_then_clipped(session):
    _schedule(session)
    intervals = [_interval(-30, 10), _interval(90, 200)]
    assert attendance_seconds(session=session, intervals=intervals, now=T0 + datetime.timedelta(hours=5)) == 20 * 60


def test_when_open_interval_lost_its_heartbeat_then_it_ends_at_the_last_one(session):
    _schedule(session)
    ttl_minutes = presence_ttl_seconds() / 60
    now = T0 + datetime.timedelta(minutes=50)
    alive = _interval(0, None, last_seen=50 - ttl_minutes / 2)
    assert attendance_seconds(session=session, intervals=[alive], now=now) == 50 * 60
    ghost = _interval(0, None, last_seen=20)
    assert attendance_seconds(session=session, intervals=[ghost], now=now) == 20 * 60


def test_when_process_died_then_expiry_closes_its_intervals_and_presence_drops_them(session, enrolled, second_learner):
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=presence_ttl_seconds() + 5)
    ghost = PresenceInterval.objects.create(
        session=session, user=enrolled, connection="dead", started_at=stale, last_seen_at=stale
    )
    PresenceInterval.objects.create(session=session, user=second_learner, connection="alive")
    assert set(presence_list(session_id=session.pk, ttl_seconds=presence_ttl_seconds())) == {second_learner.pk}
    assert services.presence_expire(session_id=session.pk) == [enrolled.pk]
    ghost.refresh_from_db()
    assert ghost.ended_at == stale
    assert Attendance.objects.filter(session=session, user=enrolled).exists()
    assert services.presence_expire(session_id=session.pk) == []


def test_when_enough_presence_then_attended_and_progress_completed(session, enrolled):
    # Present from the start until now in a 2-minute session with an 80% rule: not yet, then yes.
    PresenceInterval.objects.create(
        session=session,
        user=enrolled,
        source=PresenceInterval.Source.SOCKET,
        started_at=session.starts_at,
        last_seen_at=session.starts_at + datetime.timedelta(seconds=60),
        ended_at=session.starts_at + datetime.timedelta(seconds=60),
    )
    assert not services.attendance_refresh(session=session, user_id=enrolled.pk).attended
    PresenceInterval.objects.create(
        session=session,
        user=enrolled,
        started_at=session.starts_at + datetime.timedelta(seconds=50),
        last_seen_at=session.ends_at,
        ended_at=session.ends_at,
    )
    attendance = services.attendance_refresh(session=session, user_id=enrolled.pk)
    assert attendance.attended and attendance.seconds_present == 120
    progress = ItemProgress.objects.get(item_id=session.pk, enrollment__user=enrolled)
    assert progress.status == ProgressStatus.COMPLETED and progress.source == ProgressSource.ATTENDANCE


def test_when_instructor_overrides_then_reason_required_and_presence_no_longer_decides(session, enrolled, instructor):
    with pytest.raises(services.LiveError) as error:
        services.attendance_override(session=session, moderator=instructor, user=enrolled, attended=True, reason=" ")
    assert error.value.code == "reason_required"
    assert not Attendance.objects.exists()
    services.attendance_override(
        session=session, moderator=instructor, user=enrolled, attended=True, reason="Hadir di ruang panitia"
    )
    progress = ItemProgress.objects.get(item_id=session.pk)
    assert progress.status == ProgressStatus.COMPLETED and progress.source == ProgressSource.OVERRIDE
    assert progress.note == "Hadir di ruang panitia"
    services.attendance_override(
        session=session, moderator=instructor, user=enrolled, attended=False, reason="Titip absen"
    )
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.STARTED and progress.note == "Titip absen"
    PresenceInterval.objects.create(
        session=session,
        user=enrolled,
        started_at=session.starts_at,
        last_seen_at=session.ends_at,
        ended_at=session.ends_at,
    )
    assert not services.attendance_refresh(session=session, user_id=enrolled.pk).attended


def test_when_learner_overrides_then_refused(session, enrolled, second_learner):
    with pytest.raises(services.LiveError):
        services.attendance_override(
            session=session, moderator=second_learner, user=enrolled, attended=True, reason="x"
        )


# --- classroom check-in ---------------------------------------------------------------------------------------


def test_check_in_code_accepts_current_and_previous_window_only(classroom):
    with mock.patch("live.services.time.time", return_value=1_000_000 * 30 + 5):
        now_code = services.checkin_code(session_id=classroom.pk)
        assert services.checkin_code_valid(session_id=classroom.pk, code=now_code)
        previous = services.checkin_code(session_id=classroom.pk, window=1_000_000 - 1)
        assert services.checkin_code_valid(session_id=classroom.pk, code=previous)
        older = services.checkin_code(session_id=classroom.pk, window=1_000_000 - 2)
        assert not services.checkin_code_valid(session_id=classroom.pk, code=older)
        assert services.checkin_code(session_id=classroom.pk + 1) != now_code
        assert len(now_code) == services.CHECKIN_CODE_DIGITS and now_code.isdigit()


def test_when_learner_checks_in_with_code_then_attended(classroom, enrolled):
    client = client_for(enrolled)
    response = client.post(f"/live/{classroom.pk}/presensi/", {"kode": services.checkin_code(session_id=classroom.pk)})
    assert response.status_code == 302 and response["Location"] == f"/live/{classroom.pk}/"
    attendance = Attendance.objects.get(session=classroom, user=enrolled)
    # Checked in before the start: present for the whole scheduled hour.
    assert attendance.attended and attendance.minutes_present == 60
    assert ItemProgress.objects.get(item_id=classroom.pk).source == ProgressSource.ATTENDANCE


def test_when_code_wrong_then_error_nothing_recorded_and_guessing_throttled(classroom, enrolled):
    client = client_for(enrolled)
    good = services.checkin_code(session_id=classroom.pk)
    wrong = str((int(good) + 1) % 10**services.CHECKIN_CODE_DIGITS).zfill(services.CHECKIN_CODE_DIGITS)
    response = client.post(f"/live/{classroom.pk}/presensi/", {"kode": wrong})
    assert response.status_code == 200 and "salah" in response.content.decode()
    assert not Attendance.objects.exists()
    for _n in range(services.CHECKIN_RATE_LIMIT):
        client.post(f"/live/{classroom.pk}/presensi/", {"kode": wrong})
    response = client.post(f"/live/{classroom.pk}/presensi/", {"kode": good})
    assert "Terlalu banyak" in response.content.decode()
    assert not Attendance.objects.exists()


def test_when_not_enrolled_then_check_in_refused(classroom, outsider):
    response = client_for(outsider).post(
        f"/live/{classroom.pk}/presensi/", {"kode": services.checkin_code(session_id=classroom.pk)}
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_instructor_room_shows_rotating_qr_code_and_learner_room_does_not(classroom, enrolled, instructor):
    page = client_for(instructor).get(f"/live/{classroom.pk}/").content.decode()
    assert "<svg" in page and services.checkin_code(session_id=classroom.pk) in page
    data = client_for(instructor).get(f"/live/{classroom.pk}/kode/").json()
    assert data["svg"].startswith("<svg") and 0 < data["seconds_left"] <= 30
    assert "<svg" not in client_for(enrolled).get(f"/live/{classroom.pk}/").content.decode()
    assert client_for(enrolled).get(f"/live/{classroom.pk}/kode/").status_code == 403


def test_when_instructor_ticks_then_attended_and_report_and_csv_show_it(
    classroom, enrolled, second_learner, instructor
):
    client = client_for(instructor)
    response = client.post(f"/live/{classroom.pk}/kehadiran/ubah/", {"user_id": enrolled.pk, "action": "tick"})
    assert response.status_code == 302
    assert Attendance.objects.get(user=enrolled).attended
    report = client.get(f"/live/{classroom.pk}/kehadiran/").content.decode()
    assert enrolled.full_name in report and second_learner.full_name in report
    rows = list(csv.reader(io.StringIO(client.get(f"/live/{classroom.pk}/kehadiran.csv").content.decode())))
    by_nip = {row[0]: row for row in rows[1:]}
    assert by_nip[enrolled.nip][3:5] == ["60", "ya"]
    assert by_nip[second_learner.nip][3:5] == ["0", "tidak"]


def test_when_override_without_reason_then_error_and_nothing_changed(session, enrolled, instructor):
    client = client_for(instructor)
    response = client.post(
        f"/live/{session.pk}/kehadiran/ubah/", {"user_id": enrolled.pk, "action": "attend", "reason": ""}, follow=True
    )
    assert "alasan" in response.content.decode().lower()
    assert not Attendance.objects.exists()
    client.post(f"/live/{session.pk}/kehadiran/ubah/", {"user_id": "x", "action": "attend", "reason": "a"})
    client.post(f"/live/{session.pk}/kehadiran/ubah/", {"user_id": enrolled.pk, "action": "zap", "reason": "a"})
    assert not Attendance.objects.exists()


def test_when_learner_opens_report_then_not_found(session, enrolled):
    assert client_for(enrolled).get(f"/live/{session.pk}/kehadiran/").status_code == 404
    assert client_for(enrolled).get(f"/live/{session.pk}/kehadiran.csv").status_code == 404


def test_room_page_for_enrolled_only(session, enrolled, outsider, client):
    assert client_for(enrolled).get(f"/live/{session.pk}/").status_code == 200
    assert client_for(outsider).get(f"/live/{session.pk}/").status_code == 403
    assert client.get(f"/live/{session.pk}/").status_code == 302
    assert f"/live/{session.pk}/" in client_for(enrolled).get(session.url).content.decode()


def test_csv_cells_cannot_become_formulas(session, instructor, course):
    from lms.factories import UserFactory
    from lms.services import enrollment_create

    sneaky = UserFactory(full_name='=HYPERLINK("http://evil")')
    enrollment_create(user=sneaky, course=course)
    text = client_for(instructor).get(f"/live/{session.pk}/kehadiran.csv").content.decode()
    assert "'=HYPERLINK" in text
