import pytest
from django.urls import reverse

from lms.models import Role, User
from lms.roles import GROUP_NAMES
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    data = {
        "nip": "19860926 201505 1 001",
        "full_name": "Siti Rahmawati, S.Pd.",
        "email": "siti@lampungprov.go.id",
        "employee_type": "pns",
        "work_unit": "",
        "position": "Widyaiswara Ahli Muda",
        "rank": "III/c",
        "role": Role.INSTRUCTOR,
        "password1": "Lampung-Siger-2026",
        "password2": "Lampung-Siger-2026",
    }
    return {**data, **overrides}


def test_when_administrator_adds_user_in_wagtail_then_nip_is_normalised_and_role_group_given(catalogue, administrator):
    response = client_for(administrator).post(reverse("wagtailusers_users:add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(nip="198609262015051001")
    assert user.full_name == "Siti Rahmawati, S.Pd." and user.role == Role.INSTRUCTOR
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.INSTRUCTOR]]
    assert user.check_password("Lampung-Siger-2026")


def test_when_nip_is_invalid_then_the_form_says_why_and_nothing_is_saved(catalogue, administrator):
    before = User.objects.count()
    response = client_for(administrator).post(reverse("wagtailusers_users:add"), _form(nip="19861326 201505 1 001"))
    assert response.status_code == 200
    assert "Tanggal lahir pada NIP" in response.content.decode()
    assert User.objects.count() == before


def test_when_learner_opens_user_admin_then_refused(catalogue, learner):
    response = client_for(learner).get(reverse("wagtailusers_users:add"))
    assert response.status_code in (302, 403)
    assert User.objects.filter(pk=learner.pk).exists()
