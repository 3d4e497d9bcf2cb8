import pytest
from django.core.exceptions import ValidationError

from lms.nip import nip_validate


def test_when_nip_written_with_spaces_then_digits_are_kept():
    assert nip_validate("19860926 201505 1 001") == "198609262015051001"


@pytest.mark.parametrize(
    ("nip", "code"),
    [
        ("12345", "nip_length"),
        ("19860926201505100A", "nip_length"),
        ("1986092620²5051001", "nip_length"),  # isdigit() says yes, int() says no
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", "nip_length"),  # Arabic-Indic digits: another spelling of one NIP
        ("198613262015051001", "nip_birth"),  # month 13
        ("198609262015131001", "nip_tmt"),  # TMT month 13
        ("198609261990051001", "nip_tmt"),  # CPNS at age 3
        ("198609262015053001", "nip_gender"),
        ("198609262015051000", "nip_sequence"),
    ],
)
def test_when_pns_nip_is_malformed_then_the_reason_is_named(nip, code):
    with pytest.raises(ValidationError) as error:
        nip_validate(nip)
    assert error.value.code == code


def test_when_pppk_number_then_only_length_and_digits_are_checked():
    assert nip_validate("999999999999999999", pppk=True) == "999999999999999999"
    with pytest.raises(ValidationError):
        nip_validate("99999", pppk=True)
    with pytest.raises(ValidationError):
        nip_validate("٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩", pppk=True)
