"""Per-learner H5P records written by the xAPI intake: raw statements, attempts, results and resume state.

An activity is identified by where it is placed: the module page and the StreamField block id (the same
H5P activity may sit in several modules with different pass marks).

Statements, attempts and results are evidence of what a learner did: their module and user are PROTECTed, so
a code path deleting either fails instead of erasing them. Resume state is a convenience, not a record, and
goes with its module or user.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models.people import User


class XAPIStatement(models.Model):
    """A statement exactly as accepted (with the actor replaced by the session's user); idempotent by id."""

    statement_id = models.UUIDField(unique=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="xapi_statements")
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    verb = models.CharField(max_length=255)
    body = models.JSONField()
    body_hash = models.CharField(max_length=64)
    stored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pernyataan xAPI")
        verbose_name_plural = _("pernyataan xAPI")
        indexes = [models.Index(fields=["module", "block_id", "user"])]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.verb}"


class ActivityAttempt(models.Model):
    """A scored top-level statement (answered/completed/passed/failed) of an activity."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="activity_attempts")
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    statement = models.OneToOneField(XAPIStatement, on_delete=models.PROTECT, related_name="attempt")
    verb = models.CharField(max_length=255)
    raw_score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    scaled_score = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    completion = models.BooleanField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    passed = models.BooleanField(default=False, help_text="Score reached the block's pass mark.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("percobaan aktivitas")
        verbose_name_plural = _("percobaan aktivitas")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["module", "block_id", "user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.module_id}/{self.block_id} {self.raw_score}/{self.max_score}"

    @property
    def percent(self) -> float | None:
        return None if self.scaled_score is None else round(self.scaled_score * 100, 1)


class ActivityResult(models.Model):
    """One learner's standing on one placed activity: best score and whether it has been passed."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="activity_results")
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    best_scaled = models.FloatField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hasil aktivitas")
        verbose_name_plural = _("hasil aktivitas")
        constraints = [
            models.UniqueConstraint(fields=["user", "module", "block_id"], name="lms_activity_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.module_id}/{self.block_id} {self.best_scaled}"

    @property
    def passed(self) -> bool:
        return self.passed_at is not None


class ActivityState(models.Model):
    """H5P content user data ('state'), so an activity reopens where it was left, on any device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activity_states")
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    data = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "module", "block_id"], name="lms_activity_state_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.module_id}/{self.block_id}"
