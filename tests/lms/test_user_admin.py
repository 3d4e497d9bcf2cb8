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


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("196001011985031001", "Lampung-Siger-2026", full_name="Super", email="")


def test_when_administrator_posts_is_superuser_on_add_then_the_new_user_is_not_a_superuser(catalogue, administrator):
    response = client_for(administrator).post(
        reverse("wagtailusers_users:add"), _form(is_superuser="on", role=Role.ADMINISTRATOR)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(nip="198609262015051001")
    assert not user.is_superuser and user.role == Role.ADMINISTRATOR


def test_when_administrator_makes_an_existing_user_superuser_then_refused(catalogue, administrator, learner):
    data = _form(nip=learner.nip, email="peserta@lampungprov.go.id", is_superuser="on", role=Role.LEARNER)
    data.update(password1="", password2="", is_active="on")
    response = client_for(administrator).post(reverse("wagtailusers_users:edit", args=[learner.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    learner.refresh_from_db()
    assert not learner.is_superuser


def test_when_administrator_edits_a_superuser_then_refused_and_nothing_changes(catalogue, administrator, superuser):
    client = client_for(administrator)
    url = reverse("wagtailusers_users:edit", args=[superuser.pk])
    assert client.get(url).status_code in (302, 403)
    data = _form(nip=superuser.nip, email="", role=Role.LEARNER, full_name="Diturunkan")
    data.update(password1="Diambil-Alih-2026", password2="Diambil-Alih-2026", is_active="")
    assert client.post(url, data).status_code in (302, 403)
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_active and superuser.full_name == "Super"
    assert superuser.check_password("Lampung-Siger-2026")


def test_when_administrator_opens_the_add_form_then_no_superuser_box_and_no_groups(catalogue, administrator):
    text = client_for(administrator).get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="role"' in text
    assert 'name="is_superuser"' not in text and 'name="groups"' not in text


def test_when_superuser_creates_a_superuser_then_allowed(catalogue, superuser):
    response = client_for(superuser).post(
        reverse("wagtailusers_users:add"), _form(is_superuser="on", role=Role.ADMINISTRATOR)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(nip="198609262015051001").is_superuser


def test_when_a_role_above_ones_own_is_posted_then_refused(catalogue, administrator):
    """An instructor given user permissions by hand still cannot make administrators."""
    from django.contrib.auth.models import Permission

    instructor = User.objects.create_user("197001011995031002", "Lampung-Siger-2026", full_name="Wi", email="")
    from lms.roles import user_set_role

    user_set_role(user=instructor, role=Role.INSTRUCTOR)
    instructor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="lms", codename__in=["add_user", "view_user"])
    )
    response = client_for(instructor).post(reverse("wagtailusers_users:add"), _form(role=Role.ADMINISTRATOR))
    assert response.status_code == 200
    assert not User.objects.filter(nip="198609262015051001").exists()


def test_when_administrator_deactivates_a_superuser_in_bulk_then_refused(catalogue, administrator, superuser):
    url = reverse("wagtail_bulk_action", args=("lms", "user", "set_active_state")) + f"?id={superuser.pk}"
    response = client_for(administrator).post(url, {"mark_as_active": False})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active


def test_when_administrator_assigns_groups_in_bulk_then_refused(catalogue, administrator, learner):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=GROUP_NAMES[Role.ADMINISTRATOR])
    url = reverse("wagtail_bulk_action", args=("lms", "user", "assign_role")) + f"?id={learner.pk}"
    response = client_for(administrator).post(url, {"role": group.pk})
    assert response.status_code == 403
    assert not learner.groups.exists()
