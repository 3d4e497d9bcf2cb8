"""NIP (Nomor Induk Pegawai): the 18-digit identity number of an ASN."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NIP_LENGTH = 18
# ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and other scripts' digits (which would
# store a second spelling of one NIP).
_NIP_DIGITS = re.compile(rf"[0-9]{{{NIP_LENGTH}}}", re.ASCII)


def nip_normalize(raw: str) -> str:
    """Digits only: NIPs are often written as '19860926 201505 1 001'."""
    return re.sub(r"[\s.\-]", "", raw or "")


def nip_validate(raw: str, *, pppk: bool = False) -> str:
    """Return the normalized NIP or raise ValidationError saying what is wrong.

    A PNS NIP is YYYYMMDD (birth) + YYYYMM (TMT CPNS) + gender 1/2 + 3-digit sequence. PPPK numbers are
    18 digits with another meaning, so only their length and digits are checked.
    """
    nip = nip_normalize(raw)
    if not _NIP_DIGITS.fullmatch(nip):
        raise ValidationError(_("NIP harus terdiri dari 18 angka."), code="nip_length")
    if pppk:
        return nip
    try:
        birth = datetime.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(_("Tanggal lahir pada NIP (8 angka pertama) tidak valid."), code="nip_birth") from None
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12 or tmt_year < 1950:
        raise ValidationError(_("TMT CPNS pada NIP (angka ke-9 s.d. 14) tidak valid."), code="nip_tmt")
    if tmt_year < birth.year + 15:
        raise ValidationError(_("TMT CPNS pada NIP terlalu dekat dengan tanggal lahir."), code="nip_tmt")
    if nip[14] not in "12":
        raise ValidationError(_("Digit jenis kelamin pada NIP (angka ke-15) harus 1 atau 2."), code="nip_gender")
    if nip[15:] == "000":
        raise ValidationError(_("Nomor urut pada NIP (3 angka terakhir) tidak boleh 000."), code="nip_sequence")
    return nip
