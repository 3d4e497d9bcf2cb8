"""The room socket through the real ASGI stack (origin check, session auth, routing) with WebsocketCommunicator."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from live.models import Attendance, ChatMessage, HandRaise, Mute, PresenceInterval
from live.services import CHAT_RATE_LIMIT
from lms.models import ItemProgress, ProgressSource, ProgressStatus
from tests.live.aio import async_test
from tests.live.sockets import join, refused

pytestmark = pytest.mark.django_db(transaction=True)


def _present(socket, user_id: int) -> bool:
    """Whether the socket's view of presence (hello + diffs received so far) includes the user."""
    people: dict[int, dict] = {}
    for frame in socket.frames:
        if frame["type"] == "hello":
            people = {p["id"]: p for p in frame["presence"]}
        elif frame["type"] == "presence":
            for left in frame["left"]:
                people.pop(left, None)
            people.update({p["id"]: p for p in frame["joined"]})
    return user_id in people


async def _until_present(socket, user_id: int, present: bool = True) -> None:
    while _present(socket, user_id) != present:
        await socket.wait_for("presence", lambda frame: True)


@async_test
async def test_when_learner_joins_then_hello_has_history_and_presence(session, enrolled, instructor):
    await database_sync_to_async(ChatMessage.objects.create)(session=session, author=instructor, text="Selamat pagi")
    teacher, _hello = await join(user=instructor, session_id=session.pk)
    learner, hello = await join(user=enrolled, session_id=session.pk)
    assert [m["text"] for m in hello["messages"]] == ["Selamat pagi"]
    assert hello["me"] == {"id": enrolled.pk, "name": enrolled.full_name, "moderator": False}
    await _until_present(learner, instructor.pk)
    await _until_present(learner, enrolled.pk)
    await _until_present(teacher, enrolled.pk)
    roles = {p["id"]: p["role"] for p in hello["presence"]}
    assert roles.get(instructor.pk) == "moderator"
    await learner.close()
    await _until_present(teacher, enrolled.pk, present=False)
    await teacher.close()


@async_test
async def test_when_message_sent_then_acked_after_commit_and_delivered_to_everyone(session, enrolled, instructor):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await learner.send("chat.send", text="Apa itu SKP?", client_id="c-1")
    ack = await learner.wait_for("chat.ack")
    stored = await database_sync_to_async(ChatMessage.objects.get)(pk=ack["message"]["id"])
    assert stored.text == "Apa itu SKP?" and stored.author_id == enrolled.pk
    assert ack["client_id"] == "c-1"
    delivered = await teacher.wait_for("chat.message")
    assert delivered["message"] == ack["message"]
    # The sender's own copy arrives too; the page keeps one line per id.
    assert (await learner.wait_for("chat.message"))["message"]["id"] == stored.pk
    await teacher.send("chat.send", text="Sasaran Kinerja Pegawai.", client_id="t-1")
    answer = await learner.wait_for("chat.message", lambda f: f["message"]["author_id"] == instructor.pk)
    assert answer["message"]["id"] > stored.pk
    await teacher.close()
    await learner.close()


@async_test
async def test_when_same_client_id_resent_then_stored_once(session, enrolled):
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await learner.send("chat.send", text="Sekali saja", client_id="same")
    first = await learner.wait_for("chat.ack")
    await learner.send("chat.send", text="Sekali saja", client_id="same")
    second = await learner.wait_for("chat.ack")
    assert first["message"]["id"] == second["message"]["id"]
    assert await database_sync_to_async(ChatMessage.objects.count)() == 1
    await learner.close()


@pytest.mark.parametrize(("text", "code"), [("", "empty"), ("   ", "empty"), ("x" * 1001, "too_long"), (42, "invalid")])
@async_test
async def test_when_bad_message_then_clear_error_and_nothing_stored(session, enrolled, text, code):
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await learner.send("chat.send", text=text, client_id="bad")
    error = await learner.wait_for("error")
    assert error["code"] == code and error["client_id"] == "bad" and error["message"]
    assert await database_sync_to_async(ChatMessage.objects.count)() == 0
    await learner.close()


@async_test
async def test_when_frame_is_garbage_then_error_and_socket_stays(session, enrolled):
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await learner.communicator.send_to(text_data="{not json")
    assert (await learner.wait_for("error"))["code"] == "invalid"
    await learner.send("no.such.action")
    assert (await learner.wait_for("error"))["code"] == "invalid"
    await learner.send("chat.send", text="masih bisa", client_id="ok")
    assert (await learner.wait_for("chat.ack"))["message"]["text"] == "masih bisa"
    await learner.close()


@async_test
async def test_when_learner_floods_then_throttled_with_clear_error(session, enrolled):
    learner, _ = await join(user=enrolled, session_id=session.pk)
    for n in range(CHAT_RATE_LIMIT + 3):
        await learner.send("chat.send", text=f"banjir {n}", client_id=f"f{n}")
    for _n in range(CHAT_RATE_LIMIT):
        await learner.wait_for("chat.ack")
    error = await learner.wait_for("error")
    assert error["code"] == "rate_limited" and "Tunggu" in error["message"]
    assert await database_sync_to_async(ChatMessage.objects.count)() == CHAT_RATE_LIMIT
    await learner.close()


@async_test
async def test_when_client_resumes_from_last_id_then_no_gap(session, enrolled, instructor):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    ids = []
    for n in range(4):
        await teacher.send("chat.send", text=f"pesan {n}", client_id=f"t{n}")
        ids.append((await teacher.wait_for("chat.ack"))["message"]["id"])
    learner, hello = await join(user=enrolled, session_id=session.pk, after=ids[1])
    resumed = [m["id"] for m in hello["messages"]]
    assert resumed == sorted(resumed) and set(ids[2:]) <= set(resumed)
    await teacher.close()
    await learner.close()


@async_test
async def test_when_instructor_deletes_message_then_removed_for_everyone(session, enrolled, second_learner, instructor):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    first, _ = await join(user=enrolled, session_id=session.pk)
    second, _ = await join(user=second_learner, session_id=session.pk)
    await first.send("chat.send", text="iklan", client_id="spam")
    message_id = (await first.wait_for("chat.ack"))["message"]["id"]
    # A learner may not delete.
    await second.send("chat.delete", id=message_id)
    assert (await second.wait_for("error"))["code"] == "forbidden"
    await teacher.send("chat.delete", id=message_id)
    for socket in (teacher, first, second):
        assert (await socket.wait_for("chat.deleted"))["id"] == message_id
    late, hello = await join(user=second_learner, session_id=session.pk)
    assert message_id not in [m["id"] for m in hello["messages"]] and message_id in hello["deleted"]
    for socket in (teacher, first, second, late):
        await socket.close()


@async_test
async def test_when_muted_then_learner_cannot_chat_until_unmuted(session, enrolled, instructor):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await teacher.send("mute", user_id=enrolled.pk)
    assert (await learner.wait_for("participant.muted")) == {
        "type": "participant.muted",
        "user_id": enrolled.pk,
        "muted": True,
    }
    await learner.send("chat.send", text="halo", client_id="m1")
    assert (await learner.wait_for("error"))["code"] == "muted"
    await teacher.send("unmute", user_id=enrolled.pk)
    await learner.wait_for("participant.muted", lambda f: not f["muted"])
    assert not await database_sync_to_async(Mute.objects.exists)()
    await learner.send("chat.send", text="halo lagi", client_id="m2")
    assert (await learner.wait_for("chat.ack"))["message"]["text"] == "halo lagi"
    await teacher.close()
    await learner.close()


@async_test
async def test_when_chat_closed_then_only_instructor_writes_and_pin_reaches_all(session, enrolled, instructor):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await learner.send("chat.close")
    assert (await learner.wait_for("error"))["code"] == "forbidden"
    await teacher.send("chat.close")
    assert (await learner.wait_for("room.state"))["chat_open"] is False
    await learner.send("chat.send", text="boleh?", client_id="x")
    assert (await learner.wait_for("error"))["code"] == "chat_closed"
    await teacher.send("chat.send", text="Sesi tanya jawab nanti.", client_id="y")
    await learner.wait_for("chat.message")
    await teacher.send("pin", text="Istirahat 10 menit")
    assert (await learner.wait_for("room.state", lambda f: f["pinned"]))["pinned"] == "Istirahat 10 menit"
    await teacher.send("chat.open")
    assert (await learner.wait_for("room.state", lambda f: f["chat_open"]))["chat_open"] is True
    await teacher.close()
    await learner.close()


@async_test
async def test_when_hand_raised_then_instructor_sees_it_and_either_lowers(
    session, enrolled, second_learner, instructor
):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    learner, _ = await join(user=enrolled, session_id=session.pk)
    other, _ = await join(user=second_learner, session_id=session.pk)
    await learner.send("hand.raise")
    assert (await teacher.wait_for("hand")) == {"type": "hand", "user_id": enrolled.pk, "raised": True}
    # Another learner may not lower it.
    await other.send("hand.lower", user_id=enrolled.pk)
    assert (await other.wait_for("error"))["code"] == "forbidden"
    await teacher.send("hand.lower", user_id=enrolled.pk)
    assert (await learner.wait_for("hand", lambda f: not f["raised"]))["user_id"] == enrolled.pk
    await teacher.wait_for("hand", lambda f: not f["raised"])
    await learner.send("hand.raise")
    await teacher.wait_for("hand", lambda f: f["raised"])
    await learner.send("hand.lower")
    await teacher.wait_for("hand", lambda f: not f["raised"])
    assert not await database_sync_to_async(HandRaise.objects.exists)()
    for socket in (teacher, learner, other):
        await socket.close()


@async_test
async def test_when_two_tabs_then_one_person_and_left_only_after_both_close(session, enrolled, instructor):
    teacher, _ = await join(user=instructor, session_id=session.pk)
    tab1, _ = await join(user=enrolled, session_id=session.pk)
    tab2, hello = await join(user=enrolled, session_id=session.pk)
    await _until_present(teacher, enrolled.pk)
    presence_frames = [f for f in teacher.frames if f["type"] == "presence"]
    assert sum(p["id"] == enrolled.pk for f in presence_frames for p in f["joined"]) == 1
    await tab1.close()
    # Give the room time to publish a (wrong) departure before checking there was none.
    await asyncio.sleep(1.5)
    assert _present(teacher, enrolled.pk)
    await tab2.close()
    await _until_present(teacher, enrolled.pk, present=False)
    assert not await database_sync_to_async(PresenceInterval.objects.open().filter(user=enrolled).exists)()
    await teacher.close()


@async_test
async def test_when_learner_leaves_after_enough_time_then_attendance_completes_the_session(session, enrolled):
    session.attendance_threshold_percent = 1  # 1% of 2 minutes: present for a second is enough
    await database_sync_to_async(session.save)()
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await asyncio.sleep(2)  # time present is what is measured here
    await learner.close()
    attendance = await database_sync_to_async(Attendance.objects.get)(session=session, user=enrolled)
    assert attendance.attended and attendance.seconds_present >= 1
    progress = await database_sync_to_async(ItemProgress.objects.get)(item_id=session.pk)
    assert progress.status == ProgressStatus.COMPLETED and progress.source == ProgressSource.ATTENDANCE


@async_test
async def test_when_present_too_briefly_then_not_attended(session, enrolled):
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await learner.close()
    attendance = await database_sync_to_async(Attendance.objects.get)(session=session, user=enrolled)
    assert not attendance.attended
    assert not await database_sync_to_async(ItemProgress.objects.filter(status=ProgressStatus.COMPLETED).exists)()


# --- who may connect ------------------------------------------------------------------------------------------


@async_test
async def test_when_anonymous_then_refused_at_handshake(session):
    assert await refused(user=None, session_id=session.pk)


@async_test
async def test_when_not_enrolled_then_refused_at_handshake(session, outsider):
    assert await refused(user=outsider, session_id=session.pk)
    assert not await database_sync_to_async(PresenceInterval.objects.exists)()


@async_test
async def test_when_origin_is_another_site_then_refused(session, enrolled):
    assert await refused(user=enrolled, session_id=session.pk, origin="https://evil.example")


@async_test
async def test_when_session_unpublished_or_missing_then_refused(session, enrolled):
    assert await refused(user=enrolled, session_id=session.pk + 999)
    await database_sync_to_async(session.unpublish)()
    assert await refused(user=enrolled, session_id=session.pk)


@async_test
async def test_when_administrator_joins_then_moderator(session, administrator):
    admin, hello = await join(user=administrator, session_id=session.pk)
    assert hello["me"]["moderator"] is True
    await admin.close()
