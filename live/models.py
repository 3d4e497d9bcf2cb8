"""Per-session state written by code: chat, room settings, mutes, raised hands, presence and attendance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHAT_MAX_LENGTH = 1000
PIN_MAX_LENGTH = 500


class ChatMessageQuerySet(models.QuerySet):
    def visible(self) -> ChatMessageQuerySet:
        return self.filter(deleted_at__isnull=True)


class ChatMessage(models.Model):
    """One chat line. Its id is the room's order: clients catch up from the last id they saw."""

    # PROTECT (as presence and attendance below): what was said in a session is its record; deleting the session
    # or a participant must fail loudly, not erase it. Room switches, mutes and raised hands are momentary
    # and cascade.
    session = models.ForeignKey("lms.LiveSessionPage", on_delete=models.PROTECT, related_name="chat_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=CHAT_MAX_LENGTH)
    # The sender's own id for the message, so that a resend after a lost ack does not post it twice.
    client_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ChatMessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("pesan obrolan")
        verbose_name_plural = _("pesan obrolan")
        indexes = [models.Index(fields=["session", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="live_chat_client_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.pk}"


class RoomState(models.Model):
    """The moderator's switches for one session's room."""

    session = models.OneToOneField("lms.LiveSessionPage", on_delete=models.CASCADE, related_name="room_state")
    chat_open = models.BooleanField(default=True)
    pinned_text = models.CharField(max_length=PIN_MAX_LENGTH, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"room {self.session_id}"


class Mute(models.Model):
    session = models.ForeignKey("lms.LiveSessionPage", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="live_mute_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id} muted"


class HandRaise(models.Model):
    session = models.ForeignKey("lms.LiveSessionPage", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["raised_at"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="live_hand_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id} hand"


class PresenceQuerySet(models.QuerySet):
    def open(self) -> PresenceQuerySet:
        return self.filter(ended_at__isnull=True)


class PresenceInterval(models.Model):
    """One connection (a browser tab) in a room, or one classroom check-in. Several may overlap for one person;
    minutes present come from their union. An open interval whose heartbeat stopped belongs to a dead process
    and is closed at its last heartbeat."""

    class Source(models.TextChoices):
        SOCKET = "socket", _("Ruang daring")
        CHECKIN = "checkin", _("Kode presensi")
        MANUAL = "manual", _("Dicentang pengajar")

    session = models.ForeignKey("lms.LiveSessionPage", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.SOCKET)
    connection = models.CharField(max_length=64, blank=True)
    is_moderator = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("presensi")
        verbose_name_plural = _("presensi")
        indexes = [
            models.Index(fields=["session", "ended_at"]),
            models.Index(fields=["session", "user"]),
            models.Index(fields=["connection"]),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id} {self.started_at:%H:%M:%S}–{self.ended_at or '…'}"


class Attendance(models.Model):
    """A person's attendance of one session: computed from presence, or set by an instructor with a reason."""

    session = models.ForeignKey("lms.LiveSessionPage", on_delete=models.PROTECT, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seconds_present = models.PositiveIntegerField(default=0)
    attended = models.BooleanField(default=False)
    # None: follow presence; True/False: an instructor decided, and presence no longer changes the verdict.
    override = models.BooleanField(null=True, blank=True)
    override_reason = models.CharField(max_length=255, blank=True)
    # PROTECT: an override can complete a course; who decided it stays on record (deactivate, do not delete).
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = _("kehadiran")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="live_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id} {self.attended}"

    @property
    def minutes_present(self) -> int:
        return self.seconds_present // 60
