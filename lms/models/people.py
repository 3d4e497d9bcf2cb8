"""ASN users and their work units (OPD)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from lms.nip import nip_validate

# --- People ---------------------------------------------------------------------------------------------


class WorkUnit(models.Model):
    """An OPD (Organisasi Perangkat Daerah): the learner's work unit."""

    name = models.CharField(_("nama"), max_length=200, unique=True)
    code = models.CharField(_("kode"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit kerja (OPD)")
        verbose_name_plural = _("unit kerja (OPD)")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEARNER = "learner", _("Peserta")
    INSTRUCTOR = "instructor", _("Widyaiswara")
    ADMINISTRATOR = "administrator", _("Administrator")


class EmployeeType(models.TextChoices):
    PNS = "pns", "PNS"
    PPPK = "pppk", "PPPK"


RANKS = [
    f"{group}/{room}"
    for group, rooms in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for room in rooms
]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, nip: str, password: str | None = None, **fields):
        fields.setdefault("email", "")
        fields["email"] = self.normalize_email(fields["email"])
        user = self.model(nip=nip, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, nip: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
        return self.create_user(nip, password, **fields)


class User(AbstractUser):
    """An ASN, identified by the 18-digit NIP (stored as digits only)."""

    username = None
    nip = models.CharField(_("NIP"), max_length=18, unique=True, help_text=_("18 angka, tanpa spasi."))
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    employee_type = models.CharField(
        _("jenis ASN"), max_length=8, choices=EmployeeType.choices, default=EmployeeType.PNS
    )
    work_unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("unit kerja (OPD)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    rank = models.CharField(_("golongan/ruang"), max_length=8, blank=True, choices=[(r, r) for r in RANKS])
    role = models.CharField(_("peran"), max_length=16, choices=Role.choices, default=Role.LEARNER)

    USERNAME_FIELD = "nip"
    REQUIRED_FIELDS = ["email", "full_name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="lms_user_email_unique_ci")
        ]

    def clean(self) -> None:
        super().clean()
        try:
            self.nip = nip_validate(self.nip, pppk=self.employee_type == EmployeeType.PPPK)
        except ValidationError as error:
            raise ValidationError({"nip": error.messages}) from None

    def get_full_name(self) -> str:
        return self.full_name or self.nip

    def get_short_name(self) -> str:
        # The first word that is not a title or an initial ("Dr. Ir. Hj. Siti Aminah, M.Si." → "Siti").
        words = (self.full_name or self.nip).replace(",", " ").split()
        return next((w for w in words if not w.endswith(".")), words[0] if words else self.nip)

    def __str__(self) -> str:
        return self.get_full_name()

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR or self.is_superuser
