"""Coaches, mentors and examiners of a run's participants: assigning them one by one or from a CSV/XLSX
(preview, then apply in one transaction), and reading who guides whom."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.parsing import _csv_rows, _xlsx_rows, header_key
from lms.models import CoursePage, Enrollment, EnrollmentStatus, User
from lms.nip import nip_normalize
from lms.programmes.models import GuideImport, GuideImportStatus, GuideRole, ParticipantGuide

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000  # a run has tens to a few hundred participants
MAX_EXAMINERS = 5
OK, ERROR = "ok", "error"
SINGLE_ROLES = (GuideRole.COACH, GuideRole.MENTOR)

# Header spellings, compared after lms.accounts.parsing.header_key() (case, spaces, punctuation ignored).
_PARTICIPANT = {"nip", "nippeserta", "nipbaru", "nippesertapelatihan", "peserta"}
_COACH = {"nipcoach", "coach", "nipwidyaiswara", "widyaiswara", "nipcoachwidyaiswara", "nippembimbing", "pembimbing"}
_MENTOR = {"nipmentor", "mentor", "nipatasan", "atasan", "nipatasanlangsung", "nipmentoratasan"}
_EXAMINER_PREFIXES = ("nippenguji", "penguji", "nipexaminer", "examiner")


class GuideError(Exception):
    """A guide could not be assigned or ended, or an import was refused: nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- One at a time ---------------------------------------------------------------------------------------------


def guide_check(*, enrollment: Enrollment, user: User, role: str) -> str | None:
    """Why `user` may not take `role` for this participant, or None."""
    if role not in GuideRole.values:
        return _("Peran tidak dikenal.")
    if not user.is_active:
        return _("Akun %(nip)s tidak aktif.") % {"nip": user.nip}
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        return _("Peserta sudah mengundurkan diri dari pelatihan ini.")
    if user.pk == enrollment.user_id:
        return _("Peserta tidak dapat menjadi pembimbing atau pengujinya sendiri.")
    if role == GuideRole.COACH and not (user.is_instructor or user.is_administrator):
        return _("Coach harus widyaiswara (pengajar) atau administrator.")
    if role in SINGLE_ROLES:
        other = GuideRole.MENTOR if role == GuideRole.COACH else GuideRole.COACH
        if ParticipantGuide.objects.filter(
            enrollment=enrollment, user=user, role=other, ended_at__isnull=True
        ).exists():
            return _("Coach dan mentor harus orang yang berbeda.")
    return None


def guide_assign(*, enrollment: Enrollment, user: User, role: str, by: User | None) -> ParticipantGuide:
    """Give a participant a coach or mentor (ending the previous one, kept as history) or add an examiner."""
    with transaction.atomic():
        # Serialise assignments of one participant: two managers at once must not both pass the checks.
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        reason = guide_check(enrollment=enrollment, user=user, role=role)
        if reason:
            raise GuideError(reason)
        current = ParticipantGuide.objects.filter(enrollment=enrollment, role=role, ended_at__isnull=True)
        same = current.filter(user=user).first()
        if same is not None:
            return same
        if role in SINGLE_ROLES:
            current.update(ended_at=timezone.now())
        return ParticipantGuide.objects.create(enrollment=enrollment, user=user, role=role, assigned_by=by)


def guide_end(*, guide: ParticipantGuide, by: User | None) -> ParticipantGuide:
    """End an assignment; the row stays, so what the guide wrote keeps its author's role."""
    if guide.ended_at is None:
        guide.ended_at = timezone.now()
        guide.save(update_fields=["ended_at"])
    return guide


# --- Reads -----------------------------------------------------------------------------------------------------


@dataclass
class GuidedParticipant:
    enrollment: Enrollment
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [GuideRole(role).label for role in self.roles]


def guided_participants(*, user: User, role: str | None = None) -> list[GuidedParticipant]:
    """A person's current participants (coach, mentor or examiner), by course then name, with their roles."""
    guides = ParticipantGuide.objects.filter(user=user, ended_at__isnull=True).exclude(
        enrollment__status=EnrollmentStatus.WITHDRAWN
    )
    if role:
        guides = guides.filter(role=role)
    rows: dict[int, GuidedParticipant] = {}
    for guide in guides.select_related("enrollment__user__work_unit", "enrollment__course").order_by(
        "enrollment__course__title", "enrollment__user__full_name", "role"
    ):
        row = rows.setdefault(guide.enrollment_id, GuidedParticipant(enrollment=guide.enrollment))
        row.roles.append(guide.role)
    return list(rows.values())


def user_guides_anyone(*, user: User) -> bool:
    """Does this person currently guide or examine anyone (the "Peserta bimbingan saya" link)?"""
    if not user.is_authenticated:
        return False
    return ParticipantGuide.objects.filter(user=user, ended_at__isnull=True).exists()


def participant_guides(*, enrollment: Enrollment):
    """A participant's current coach, mentor and examiners."""
    return (
        ParticipantGuide.objects.filter(enrollment=enrollment, ended_at__isnull=True)
        .select_related("user__work_unit")
        .order_by("role", "assigned_at", "pk")
    )


@dataclass
class GuideRow:
    enrollment: Enrollment
    coach: ParticipantGuide | None = None
    mentor: ParticipantGuide | None = None
    examiners: list[ParticipantGuide] = field(default_factory=list)


def course_guide_rows(*, course: CoursePage) -> list[GuideRow]:
    """Every current participant of a run with their coach, mentor and examiners (two queries)."""
    enrollments = (
        Enrollment.objects.current().filter(course=course).select_related("user__work_unit").order_by("user__full_name")
    )
    rows = {e.pk: GuideRow(enrollment=e) for e in enrollments}
    for guide in (
        ParticipantGuide.objects.filter(enrollment_id__in=rows, ended_at__isnull=True)
        .select_related("user")
        .order_by("assigned_at", "pk")
    ):
        row = rows[guide.enrollment_id]
        if guide.role == GuideRole.EXAMINER:
            row.examiners.append(guide)
        else:
            setattr(row, guide.role, guide)
    return list(rows.values())


# --- The import ------------------------------------------------------------------------------------------------


def _column(key: str) -> str | None:
    if key in _PARTICIPANT:
        return "participant"
    if key in _COACH:
        return "coach"
    if key in _MENTOR:
        return "mentor"
    if key.startswith(_EXAMINER_PREFIXES):
        return "examiners"
    return None


def _split_nips(text: str) -> list[str]:
    return [nip_normalize(part) for part in text.replace(",", ";").split(";") if part.strip()]


def guide_table_parse(*, data: bytes, filename: str) -> list[dict]:
    """Rows as {"row", "participant", "coach", "mentor", "examiners": [...]}, NIPs as digits. Raises
    ValidationError for a file that is too big, unreadable, or has no participant NIP column."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Berkas terlalu besar (maksimal 2 MB)."))
    try:
        if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
            table = _xlsx_rows(data)
        else:
            table = _csv_rows(data)
    except ValidationError:
        raise
    except (csv.Error, ValueError, UnicodeError) as error:  # e.g. a field over csv's size limit
        raise ValidationError(_("Berkas tidak dapat dibaca sebagai CSV atau XLSX.")) from error
    index = next(
        (i for i, row in enumerate(table[:10]) if "participant" in [_column(header_key(c)) for c in row]), None
    )
    if index is None:
        raise ValidationError(_("Baris judul dengan kolom NIP peserta tidak ditemukan."))
    columns = [_column(header_key(cell)) for cell in table[index]]
    if "coach" not in columns and "mentor" not in columns and "examiners" not in columns:
        raise ValidationError(_("Kolom NIP coach, NIP mentor atau NIP penguji tidak ditemukan."))
    rows: list[dict] = []
    for number, raw in enumerate(table[index + 1 :], start=index + 2):
        row = {"row": number, "participant": "", "coach": "", "mentor": "", "examiners": []}
        for i, column in enumerate(columns):
            if column is None or i >= len(raw) or not str(raw[i]).strip():
                continue
            value = str(raw[i])[:200]
            if column == "examiners":
                row["examiners"] += _split_nips(value)
            elif not row[column]:
                row[column] = nip_normalize(value)[:40]
        if not (row["participant"] or row["coach"] or row["mentor"] or row["examiners"]):
            continue
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("Terlalu banyak baris (maksimal %(n)s).") % {"n": MAX_ROWS})
    if not rows:
        raise ValidationError(_("Berkas tidak berisi baris data."))
    return rows


def guide_import_validate(*, course: CoursePage, rows: list[dict]) -> list[dict]:
    """A verdict per row: status ok/error, its errors, and the changes applying it would make. A fixed number of
    queries, whatever the number of rows."""
    nips = {n for r in rows for n in [r["participant"], r["coach"], r["mentor"], *r["examiners"]] if n}
    users = {u.nip: u for u in User.objects.filter(nip__in=nips)}
    enrollments = {
        e.user_id: e for e in Enrollment.objects.filter(course=course, user__nip__in=[r["participant"] for r in rows])
    }
    current: dict[tuple[int, str], set[int]] = {}
    for guide in ParticipantGuide.objects.filter(enrollment__course=course, ended_at__isnull=True):
        current.setdefault((guide.enrollment_id, guide.role), set()).add(guide.user_id)
    seen: dict[str, int] = {}
    results = []
    for raw in rows:
        errors: list[str] = []
        changes: list[str] = []
        participant = users.get(raw["participant"])
        enrollment = enrollments.get(participant.pk) if participant else None
        if not raw["participant"]:
            errors.append(_("NIP peserta kosong."))
        elif participant is None:
            errors.append(_("NIP peserta %(nip)s tidak dikenal.") % {"nip": raw["participant"]})
        elif enrollment is None or enrollment.status == EnrollmentStatus.WITHDRAWN:
            errors.append(_("Peserta %(nip)s tidak terdaftar di pelatihan ini.") % {"nip": raw["participant"]})
        if raw["participant"] in seen:
            errors.append(_("Peserta sama dengan baris %(row)s.") % {"row": seen[raw["participant"]]})
        elif raw["participant"]:
            seen[raw["participant"]] = raw["row"]
        if not (raw["coach"] or raw["mentor"] or raw["examiners"]):
            errors.append(_("Tidak ada NIP coach, mentor atau penguji."))
        if raw["coach"] and raw["coach"] == raw["mentor"]:
            errors.append(_("Coach dan mentor harus orang yang berbeda."))
        if len(raw["examiners"]) > MAX_EXAMINERS:
            errors.append(_("Paling banyak %(n)s penguji per peserta.") % {"n": MAX_EXAMINERS})
        assignments = [(GuideRole.COACH, raw["coach"]), (GuideRole.MENTOR, raw["mentor"])]
        assignments += [(GuideRole.EXAMINER, nip) for nip in dict.fromkeys(raw["examiners"])]
        for role, nip in assignments:
            if not nip:
                continue
            label = GuideRole(role).label
            user = users.get(nip)
            if user is None:
                errors.append(_("NIP %(role)s %(nip)s tidak dikenal.") % {"role": label.lower(), "nip": nip})
                continue
            if not user.is_active:
                errors.append(_("Akun %(role)s %(nip)s tidak aktif.") % {"role": label.lower(), "nip": nip})
            if participant is not None and user.pk == participant.pk:
                errors.append(_("Peserta tidak dapat menjadi %(role)s dirinya sendiri.") % {"role": label.lower()})
            if role == GuideRole.COACH and not (user.is_instructor or user.is_administrator):
                errors.append(_("Coach %(nip)s bukan widyaiswara (pengajar) atau administrator.") % {"nip": nip})
            if enrollment is not None and user.pk not in current.get((enrollment.pk, role), set()):
                changes.append(f"{role}:{nip}")
        results.append(
            {
                **raw,
                "status": ERROR if errors else OK,
                "errors": errors,
                "changes": changes,
                "names": {
                    n: users[n].get_full_name() for n in [raw["coach"], raw["mentor"], *raw["examiners"]] if n in users
                },
                "participant_name": participant.get_full_name() if participant else "",
            }
        )
    return results


def guide_import_fingerprint(results: list[dict]) -> str:
    """What the manager saw: verdicts and changes per row. Apply refuses when the database moved since."""
    text = "|".join(f"{r['row']}:{r['status']}:{','.join(r['changes'])}" for r in results)
    return hashlib.sha256(text.encode()).hexdigest()


def guide_import_counts(results: list[dict]) -> dict[str, int]:
    return {
        OK: sum(r["status"] == OK for r in results),
        ERROR: sum(r["status"] == ERROR for r in results),
        "changes": sum(len(r["changes"]) for r in results),
    }


def guide_import_create(*, course: CoursePage, data: bytes, filename: str, by: User) -> GuideImport:
    """Parse an upload and keep its rows with their verdicts for the preview. Raises ValidationError when the
    file is too big or unreadable; nothing is stored then."""
    rows = guide_table_parse(data=data, filename=filename)
    results = guide_import_validate(course=course, rows=rows)
    return GuideImport.objects.create(
        course=course,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=results,
        summary=guide_import_counts(results),
        created_by=by,
    )


def guide_import_apply(*, guide_import: GuideImport, by: User, fingerprint: str) -> dict[str, int]:
    """All or nothing. Refuses a double submit, a preview the database no longer matches, and any error row."""
    with transaction.atomic():
        locked = GuideImport.objects.select_for_update().get(pk=guide_import.pk)
        if locked.status != GuideImportStatus.PREVIEWED:
            raise GuideError(_("Impor ini sudah diterapkan."))
        raw_rows = [{k: r[k] for k in ("row", "participant", "coach", "mentor", "examiners")} for r in locked.rows]
        results = guide_import_validate(course=locked.course, rows=raw_rows)
        if guide_import_fingerprint(results) != fingerprint:
            raise GuideError(_("Data berubah sejak pratinjau; unggah ulang berkasnya."))
        counts = guide_import_counts(results)
        if counts[ERROR]:
            raise GuideError(_("Masih ada baris bermasalah; perbaiki berkasnya lalu unggah ulang."))
        users = {
            u.nip: u for u in User.objects.filter(nip__in={c.split(":", 1)[1] for r in results for c in r["changes"]})
        }
        enrollments = {
            e.user.nip: e
            for e in Enrollment.objects.filter(
                course=locked.course, user__nip__in=[r["participant"] for r in results]
            ).select_related("user")
        }
        for result in results:
            for change in result["changes"]:
                role, nip = change.split(":", 1)
                try:
                    guide_assign(enrollment=enrollments[result["participant"]], user=users[nip], role=role, by=by)
                except GuideError as error:
                    # A coach who is the participant's current mentor (or the reverse) in the database.
                    raise GuideError(
                        _("Baris %(row)s: %(reason)s") % {"row": result["row"], "reason": error.message}
                    ) from error
        locked.status = GuideImportStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.rows = results
        locked.summary = counts
        locked.save(update_fields=["status", "applied_at", "rows", "summary"])
    guide_import.refresh_from_db()
    return counts
