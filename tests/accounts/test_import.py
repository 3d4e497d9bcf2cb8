"""Account import: parsing, every error class, preview, all-or-nothing apply, idempotence, activation."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.accounts.models import AccountImport, AccountProfile, ImportStatus
from lms.accounts.parsing import table_parse
from lms.accounts.services import (
    ImportRefused,
    account_activation_path,
    account_import_apply,
    account_import_create,
    activation_token,
    import_counts,
    import_fingerprint,
    import_validate,
    phone_normalize,
    rank_normalize,
)
from lms.factories import UserFactory, WorkUnitFactory
from lms.models import Enrollment, User, WorkUnit
from lms.models.people import EmployeeType
from lms.models.progress import EnrollmentSource
from tests.accounts.helpers import HEADER, cohort_rows, csv_bytes, xlsx_bytes
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TASK_BACKENDS = ("default", "notifications")


@pytest.fixture
def unit(db):
    return WorkUnitFactory(name="Dinas Kesehatan")


def _preview(data: bytes, by, *, filename="peserta.csv", course=None, create_units=False):
    account_import = account_import_create(data=data, filename=filename, by=by, course=course)
    results = import_validate(rows=account_import.rows, course=course, create_units=create_units)
    return account_import, results


def _apply(account_import, results, by, *, create_units=False):
    return account_import_apply(
        account_import=account_import, by=by, fingerprint=import_fingerprint(results), create_units=create_units
    )


# --- parsing ----------------------------------------------------------------------------------------------------


def test_parse_csv_semicolon_bom_and_aliases():
    rows = cohort_rows(2)
    parsed = table_parse(data=csv_bytes(rows), filename="a.csv")
    assert [r["nip"] for r in parsed] == [rows[0][0], rows[1][0]]
    assert parsed[0]["rank"] == "III a" and parsed[0]["work_unit"] == "Dinas Kesehatan"
    assert parsed[0]["phone"] == rows[0][8] and parsed[0]["row"] == 2


def test_parse_csv_comma_cp1252_and_free_column_order():
    header = ["e-mail", "NAMA ", "nip", "Golongan/Ruang", "OPD"]
    data = csv_bytes(
        [["x@y.go.id", "Siti Müller", "199001012015052001", "3b", "Bappeda"]],
        header=header,
        delimiter=",",
        encoding="cp1252",
    )
    (row,) = table_parse(data=data, filename="a.csv")
    assert row["name"] == "Siti Müller" and row["nip"] == "199001012015052001" and row["email"] == "x@y.go.id"


def test_parse_xlsx_with_title_line():
    rows = cohort_rows(3)
    parsed = table_parse(data=xlsx_bytes(rows), filename="a.xlsx")
    assert [r["nip"] for r in parsed] == [r[0] for r in rows]
    assert parsed[0]["row"] == 3


@pytest.mark.parametrize(
    "data",
    [b"Nama;Email\r\nA;b@c.id\r\n", b"PK\x03\x04garbage", b""],
)
def test_parse_refuses_unusable_files(data):
    with pytest.raises(ValidationError):
        table_parse(data=data, filename="x.xlsx" if data.startswith(b"PK") else "x.csv")


def test_normalisers():
    assert [rank_normalize(v) for v in ("III/a", "III a", "3a", "iv-E", "", "V/a", "III/e")] == [
        "III/a",
        "III/a",
        "III/a",
        "IV/e",
        "",
        None,
        None,
    ]
    assert phone_normalize("0812-3456 789") == "628123456789"
    assert phone_normalize("+62 812 3456789") == "628123456789"


# --- validation -------------------------------------------------------------------------------------------------


def test_every_error_class(administrator, unit):
    other = UserFactory(email="taken@asn.example.go.id")
    good = cohort_rows(8)
    good[0][0] = "123"  # NIP length
    good[1][0] = "199013012015051001"  # birth month 13
    good[2][7] = "bukan-email"
    good[3][0] = good[4][0]  # duplicate NIP in the file
    good[5][7] = good[6][7]  # duplicate email in the file
    good[7][7] = "TAKEN@asn.example.go.id"  # email owned by another NIP
    extra = cohort_rows(3, start=900000)
    extra[0][5] = "V/z"  # unknown rank
    extra[1][6] = "Dinas Antah Berantah"  # unknown OPD
    extra[2][1] = ""  # no name
    _, results = _preview(csv_bytes(good + extra), administrator)
    errors = {r["row"]: " ".join(r["errors"]) for r in results if r["action"] == "error"}
    assert "18 angka" in errors[2]
    assert "Tanggal lahir" in errors[3]
    assert "email" in errors[4].lower()
    assert "baris 5" in errors[6]  # the later of two rows with one NIP is flagged
    assert "baris 7" in errors[8]  # the same for an email
    assert other.nip in errors[9]
    assert "Golongan" in errors[10]
    assert "Dinas Antah Berantah" in errors[11]
    assert "Nama" in errors[12]
    assert import_counts(results)["error"] == 9


def test_pppk_only_checks_length(administrator, unit):
    header = [*HEADER, "Jenis ASN"]
    row = [*cohort_rows(1)[0], "PPPK"]
    row[0] = "199913012021121001"  # impossible birth date, fine for PPPK
    _, results = _preview(csv_bytes([row], header=header), administrator)
    assert results[0]["action"] == "create" and results[0]["data"]["employee_type"] == EmployeeType.PPPK


def test_unknown_unit_created_only_when_ticked(administrator):
    data = csv_bytes(cohort_rows(2, unit="Badan Baru"))
    account_import, results = _preview(data, administrator)
    assert all(r["action"] == "error" for r in results)
    results = import_validate(rows=account_import.rows, create_units=True)
    assert all(r["action"] == "create" and r["new_unit"] == "Badan Baru" for r in results)
    _apply(account_import, results, administrator, create_units=True)
    assert WorkUnit.objects.filter(name="Badan Baru").count() == 1
    assert User.objects.filter(work_unit__name="Badan Baru").count() == 2


def test_unit_matched_by_normalised_name(administrator, unit):
    _, results = _preview(csv_bytes(cohort_rows(1, unit="  DINAS   kesehatan. ")), administrator)
    assert results[0]["action"] == "create"


def test_validate_query_count_does_not_grow(administrator, unit):
    rows = import_validate(rows=table_parse(data=csv_bytes(cohort_rows(5)), filename="a.csv"))
    assert rows
    small = table_parse(data=csv_bytes(cohort_rows(5)), filename="a.csv")
    big = table_parse(data=csv_bytes(cohort_rows(200)), filename="a.csv")
    with CaptureQueriesContext(connection) as few:
        import_validate(rows=small)
    with CaptureQueriesContext(connection) as many:
        import_validate(rows=big)
    assert len(many) == len(few) <= 6


# --- apply ------------------------------------------------------------------------------------------------------


def test_apply_creates_with_unusable_password_and_profile(administrator, unit, course):
    rows = cohort_rows(3)
    account_import, results = _preview(xlsx_bytes(rows), administrator, filename="p.xlsx", course=course)
    counts = _apply(account_import, results, administrator)
    assert counts["create"] == 3
    user = User.objects.get(nip=rows[0][0])
    assert not user.has_usable_password()
    assert user.rank == "III/a" and user.work_unit == unit and user.full_name == "Peserta 0"
    profile = AccountProfile.objects.get(user=user)
    assert (profile.phone, profile.title_prefix, profile.title_suffix) == ("628120000000", "dr.", "M.Kes")
    assert Enrollment.objects.filter(course=course, source=EnrollmentSource.BULK).count() == 3
    account_import.refresh_from_db()
    assert account_import.status == ImportStatus.APPLIED


def test_reupload_is_unchanged_and_changes_nothing(administrator, unit, course):
    data = csv_bytes(cohort_rows(20))
    account_import, results = _preview(data, administrator, course=course)
    _apply(account_import, results, administrator)
    before = (User.objects.count(), AccountProfile.objects.count(), Enrollment.objects.count())
    second, results = _preview(data, administrator, course=course)
    assert import_counts(results) == {"create": 0, "update": 0, "unchanged": 20, "error": 0}
    _apply(second, results, administrator)
    assert (User.objects.count(), AccountProfile.objects.count(), Enrollment.objects.count()) == before


def test_same_nip_updates_never_duplicates(administrator, unit):
    rows = cohort_rows(2)
    account_import, results = _preview(csv_bytes(rows), administrator)
    _apply(account_import, results, administrator)
    rows[0][4] = "Kepala Seksi"
    rows[0][0] = rows[0][0][:8] + " " + rows[0][0][8:]  # the same NIP written with a space
    account_import, results = _preview(csv_bytes(rows), administrator)
    assert [r["action"] for r in results] == ["update", "unchanged"]
    assert results[0]["changes"] == ["position"]
    _apply(account_import, results, administrator)
    assert User.objects.filter(position="Kepala Seksi").count() == 1
    assert User.objects.filter(nip__in=[r[0].replace(" ", "") for r in rows]).count() == 2


def test_errors_block_apply(administrator, unit):
    rows = cohort_rows(3)
    rows[1][0] = "1"
    account_import, results = _preview(csv_bytes(rows), administrator)
    with pytest.raises(ImportRefused):
        _apply(account_import, results, administrator)
    assert not User.objects.filter(nip__in=[r[0] for r in rows]).exists()


def test_stale_preview_and_double_submit_refused(administrator, unit):
    rows = cohort_rows(2)
    account_import, results = _preview(csv_bytes(rows), administrator)
    UserFactory(nip=rows[0][0])  # someone created one of them since the preview
    with pytest.raises(ImportRefused):
        _apply(account_import, results, administrator)
    results = import_validate(rows=account_import.rows)
    _apply(account_import, results, administrator)
    with pytest.raises(ImportRefused):
        _apply(account_import, results, administrator)


@pytest.mark.django_db(transaction=True)
def test_failure_in_the_middle_leaves_nothing(catalogue):
    administrator = UserFactory()
    WorkUnitFactory(name="Dinas Kesehatan")
    rows = cohort_rows(30, unit="OPD Baru Sekali")
    account_import, results = _preview(csv_bytes(rows), administrator, create_units=True)
    users_before, units_before = User.objects.count(), WorkUnit.objects.count()
    with mock.patch.object(AccountProfile.objects, "bulk_create", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            _apply(account_import, results, administrator, create_units=True)
    assert User.objects.count() == users_before and WorkUnit.objects.count() == units_before
    assert AccountImport.objects.get(pk=account_import.pk).status == ImportStatus.PREVIEWED


def test_500_rows(administrator, unit, course):
    account_import, results = _preview(xlsx_bytes(cohort_rows(500)), administrator, filename="p.xlsx", course=course)
    assert import_counts(results)["create"] == 500
    _apply(account_import, results, administrator)
    assert Enrollment.objects.filter(course=course).count() == 500
    assert User.objects.filter(password__startswith="!").count() == 500


def test_activation_emails_leave_after_commit_in_one_task(administrator, unit, django_capture_on_commit_callbacks):
    from django.core import mail
    from django.test import override_settings

    from lms.notifications.models import Notification, NotificationKind

    rows = cohort_rows(3)
    rows[2][7] = ""  # no email: this one gets the printed or WhatsApp link only
    account_import, results = _preview(csv_bytes(rows), administrator)
    immediate = {name: {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"} for name in TASK_BACKENDS}
    with override_settings(TASKS=immediate):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with transaction.atomic():
                _apply(account_import, results, administrator)
                assert not Notification.objects.exists()  # nothing is sent inside the import's transaction
        # One subscriber call for the whole import, and (from the task it queued) one enqueue of all the emails:
        # not one of each per account.
        assert len(callbacks) == 2
    notes = Notification.objects.filter(kind=NotificationKind.ACCOUNT_ACTIVATION)
    assert sorted(notes.values_list("user__nip", flat=True)) == sorted([rows[0][0], rows[1][0]])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rows[0][7], rows[1][7]])
    assert all("/aktifkan/" in m.body for m in mail.outbox)
    # Applying is refused the second time, and the subscriber would not send twice anyway.
    from lms.notifications.services import notification_activation_send

    assert notification_activation_send(user_ids=list(notes.values_list("user_id", flat=True))) == 0


# --- views ------------------------------------------------------------------------------------------------------


def test_upload_preview_apply_pages(administrator, unit):
    client = client_for(administrator)
    rows = cohort_rows(4)
    rows[2][7] = "salah"
    upload = _upload(client, csv_bytes(rows))
    assert upload.status_code == 302
    page = client.get(upload.url)
    assert page.status_code == 200 and page.content.decode().count('data-action="error"') == 1
    assert page.context["can_apply"] is False
    rows[2][7] = "benar@asn.example.go.id"
    page = client.get(_upload(client, csv_bytes(rows)).url)
    assert page.context["can_apply"]
    response = client.post(page.wsgi_request.path, {"fingerprint": page.context["fingerprint"]})
    assert response.status_code == 302
    assert User.objects.filter(nip__in=[r[0] for r in rows]).count() == 4
    again = client.post(page.wsgi_request.path, {"fingerprint": page.context["fingerprint"]})
    assert again.status_code == 409


def _upload(client, data, name="peserta.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("accounts:import_upload"), {"file": SimpleUploadedFile(name, data)})


def test_upload_bad_file_is_400(administrator):
    client = client_for(administrator)
    assert _upload(client, b"\x00\x01garbage").status_code == 400
    assert _upload(client, b"abc", name="x.exe").status_code == 400
    assert not AccountImport.objects.exists()


def test_import_pages_only_for_administrators(learner, instructor):
    for user in (learner, instructor):
        assert client_for(user).get(reverse("accounts:import_upload")).status_code == 403


# --- activation -------------------------------------------------------------------------------------------------


def _new_account(administrator):
    WorkUnitFactory(name="Dinas Kesehatan")
    rows = cohort_rows(1)
    account_import, results = _preview(csv_bytes(rows), administrator)
    _apply(account_import, results, administrator)
    return User.objects.get(nip=rows[0][0])


def test_activation_one_time(administrator, client):
    user = _new_account(administrator)
    path = account_activation_path(user=user)
    assert path == account_activation_path(user=user)  # a later print gives a link that is just as valid
    assert client.get(path).status_code == 200
    weak = client.post(path, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400
    response = client.post(path, {"new_password1": "Sawah-Lampung-2026", "new_password2": "Sawah-Lampung-2026"})
    assert response.status_code == 302 and response.url == reverse("lms:dashboard")
    assert client.get(reverse("lms:dashboard")).wsgi_request.user == user
    user.refresh_from_db()
    assert user.has_usable_password()
    assert client.get(path).status_code == 404


def test_activation_expires(administrator, client, settings):
    user = _new_account(administrator)
    token = activation_token.make_token(user)
    assert activation_token.check_token(user, token)
    with mock.patch.object(activation_token, "_now") as now:
        import datetime

        now.return_value = datetime.datetime.now() + datetime.timedelta(days=settings.SIGER_ACTIVATION_DAYS + 1)
        assert not activation_token.check_token(user, token)
    assert not activation_token.check_token(user, token[:-1] + ("0" if token[-1] != "0" else "1"))


def test_reset_token_is_no_activation_token(administrator):
    from django.contrib.auth.tokens import default_token_generator

    user = _new_account(administrator)
    assert not activation_token.check_token(user, default_token_generator.make_token(user))


def test_activation_bad_links(client):
    assert client.get("/aktifkan/xx/yy/").status_code == 404
    learner = UserFactory()  # has a password: activated already
    assert client.get(account_activation_path(user=learner)).status_code == 404


def test_activation_throttled(administrator, client):
    user = _new_account(administrator)
    path = account_activation_path(user=user)
    codes = [client.post(path, {"new_password1": "x", "new_password2": "y"}).status_code for _ in range(25)]
    assert codes[-1] == 429


def test_activation_list_and_exports(administrator, unit):
    rows = cohort_rows(3)
    account_import, results = _preview(csv_bytes(rows), administrator)
    _apply(account_import, results, administrator)
    client = client_for(administrator)
    url = reverse("accounts:activation_list") + f"?impor={account_import.pk}"
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["rows"]) == 3
    row = page.context["rows"][0]
    assert row.whatsapp.startswith("https://wa.me/62812") and "/aktifkan/" in row.url
    assert client.get(url).context["rows"][0].url == row.url  # a later print: the same valid link
    for fmt in ("csv", "xlsx"):
        assert client.get(url + f"&format={fmt}").status_code == 200
    assert client_for(UserFactory()).get(url).status_code == 403
