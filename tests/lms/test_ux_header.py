"""The header says who is signed in, with an account menu that needs no script."""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_when_signed_in_then_header_names_the_person_with_account_menu(learner):
    html = client_for(learner).get("/").content.decode()
    header = html[html.index('<header class="top">') : html.index("</header>")]
    assert '<details class="account" id="account-menu">' in header and "<summary" in header
    assert learner.full_name in header and learner.nip in header
    assert "/keluar/" in header or "logout" in header or "Keluar" in header
    assert "<script" not in header


def test_when_anonymous_then_header_offers_sign_in(client):
    html = client.get("/").content.decode()
    header = html[html.index('<header class="top">') : html.index("</header>")]
    assert "account-menu" not in header


@pytest.mark.parametrize(
    ("full_name", "short"),
    [
        ("Dr. Ir. Hj. Siti Aminah, M.Si.", "Siti"),
        ("Siti Rahmawati", "Siti"),
        ("M. Yusuf", "Yusuf"),
        ("Dr.", "Dr."),
    ],
)
def test_header_greets_by_the_first_name_not_a_title(full_name, short):
    from lms.models import User

    assert User(full_name=full_name, nip="198609262015051001").get_short_name() == short
