import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from lms.factories import DEMO_PASSWORD, UserFactory
from lms.models import EmployeeType, User
from lms.services import user_create

pytestmark = pytest.mark.django_db


def _login(client: Client, identifier: str, password: str = DEMO_PASSWORD):
    return client.post(reverse("lms:login"), {"username": identifier, "password": password})


def test_when_logging_in_with_spaced_nip_then_session_is_authenticated():
    user = UserFactory(nip="198609262015051001")
    client = Client()
    response = _login(client, "19860926 201505 1 001")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_when_logging_in_with_email_in_other_case_then_it_works():
    UserFactory(email="Siti@Lampungprov.go.id")
    assert _login(Client(), "siti@lampungprov.go.id").status_code == 302


def test_when_password_is_wrong_then_login_page_explains_and_no_session():
    UserFactory(nip="198609262015051001")
    client = Client()
    response = _login(client, "198609262015051001", "salah")
    assert response.status_code == 200
    assert "NIP/email atau kata sandi salah" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_when_login_is_flooded_then_it_is_throttled_even_with_the_right_password():
    UserFactory(nip="198609262015051001")
    client = Client()
    for _ in range(10):
        _login(client, "198609262015051001", "salah")
    response = _login(client, "198609262015051001")
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_when_creating_user_with_invalid_nip_then_nothing_is_saved():
    with pytest.raises(ValidationError) as error:
        user_create(nip="19861326 201505 1 001", full_name="Salah Tanggal")
    assert "nip" in error.value.message_dict
    assert not User.objects.exists()


def test_when_creating_pppk_user_then_nip_meaning_is_not_checked():
    user = user_create(nip="999999999999999999", full_name="Pegawai PPPK", employee_type=EmployeeType.PPPK)
    assert user.nip == "999999999999999999"


def test_when_email_differs_only_in_case_then_second_user_is_refused():
    UserFactory(email="a@b.go.id")
    with pytest.raises(ValidationError):
        user_create(nip="198609262015051001", full_name="X", email="A@B.go.id")


def test_admin_sends_to_the_one_throttled_login_page_and_comes_back_after_it():
    client = Client()
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/pages/"
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == reverse("lms:login") + "?next=/admin/pages/"
