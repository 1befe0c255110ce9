"""Two-factor sign-in for staff (TOTP, django-otp): enrolment, the second sign-in step, the lockout
counting wrong codes, and the Pemda switch that makes it required for koordinator and Ombudsman."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import MembershipFactory, PemdaFactory, UserFactory

PASSWORD = "rahasia-123"
VERIFY = "/staf/dua-langkah/"
SETUP = "/staf/dua-langkah/daftar/"


@pytest.fixture(autouse=True)
def _no_device_throttle(settings):
    # django-otp also slows a device down after a wrong code (1 s, 2 s, ...): off, so a test can
    # send the right code right after a wrong one. The sign-in lockout is what is tested here.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device, steps_ahead: int = 0) -> str:
    """The code the user's app shows, computed from the device's key (``steps_ahead`` windows later:
    a code is accepted once, and the device allows one window of drift)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_enrolment_shows_a_qr_code_and_is_confirmed_by_the_first_code(client, petugas):
    client.force_login(petugas)
    page = client.get(SETUP)

    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=petugas)
    assert not device.confirmed
    secret = page.context["secret"].replace(" ", "")
    assert secret in html.replace(" ", "")
    assert len(secret) == 32

    wrong = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Kode salah" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert DEVICE_ID_SESSION_KEY not in client.session

    done = client.post(SETUP, {"code": code_for(device), "next": "/staf/kotak-masuk/"})
    assert done.status_code == 302
    assert done["Location"] == "/staf/kotak-masuk/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert TOTPDevice.objects.filter(user=petugas).count() == 1


def test_sign_in_asks_for_the_code_after_the_password(client, petugas):
    device = enrolled(petugas)
    signed_in = client.post("/staf/masuk/", {"username": petugas.email, "password": PASSWORD})
    assert signed_in.status_code == 302

    # Password alone: staff pages go to the code page, the API ignores the session.
    inbox = client.get("/staf/kotak-masuk/")
    assert inbox.status_code == 302
    assert inbox["Location"] == f"{VERIFY}?next=%2Fstaf%2Fkotak-masuk%2F"
    assert client.get("/kepatuhan/")["Location"].startswith(VERIFY)
    assert client.get("/api/v1/me/").status_code in (401, 403)

    wrong = client.post(VERIFY, {"code": "12345x"})
    assert wrong.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/staf/kotak-masuk/").status_code == 302

    right = client.post(VERIFY, {"code": code_for(device, 1), "next": "/staf/kotak-masuk/"})
    assert right.status_code == 302
    assert right["Location"] == "/staf/kotak-masuk/"
    assert client.get("/staf/kotak-masuk/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    # The same code is not accepted twice.
    client.logout()
    client.post("/staf/masuk/", {"username": petugas.email, "password": PASSWORD})
    replay = client.post(VERIFY, {"code": code_for(device, 1)})
    assert replay.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_wrong_codes_count_towards_the_sign_in_lockout(client, petugas):
    device = enrolled(petugas)
    client.post("/staf/masuk/", {"username": petugas.email, "password": PASSWORD})
    for n in range(5):
        assert client.post(VERIFY, {"code": f"00000{n}"}).status_code == 200

    locked = client.post(VERIFY, {"code": code_for(device)})

    assert locked.status_code == 429
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/staf/kotak-masuk/").status_code == 302
    # The password step is locked as well.
    client.logout()
    again = client.post("/staf/masuk/", {"username": petugas.email, "password": PASSWORD})
    assert again.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_pemda_switch_requires_it_for_koordinator_and_ombudsman_not_petugas(
    client, pemda, koordinator, ombudsman, petugas, kepala
):
    other = PemdaFactory()  # another province, switch off
    other_koordinator = MembershipFactory(role="koordinator", pemda=other).user
    pemda.two_factor_required = True
    pemda.save(update_fields=["two_factor_required"])

    for user, page in ((koordinator, "/staf/triase/"), (ombudsman, "/staf/ombudsman/")):
        client.force_login(user)
        response = client.get(page)
        assert response.status_code == 302, user
        assert response["Location"].startswith(SETUP)
        assert client.get("/staf/").status_code == 302
        assert client.get("/api/v1/staff/complaints/").status_code in (401, 403)
        assert client.get(SETUP).context["required"] is True
    for user, page in (
        (petugas, "/staf/kotak-masuk/"),
        (kepala, "/staf/kepala/"),
        (other_koordinator, "/staf/triase/"),
    ):
        client.force_login(user)
        assert client.get(page).status_code == 200, user
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_required_user_who_enrols_gets_in_and_cannot_turn_it_off(client, pemda, koordinator):
    pemda.two_factor_required = True
    pemda.save(update_fields=["two_factor_required"])
    client.force_login(koordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=koordinator)

    client.post(SETUP, {"code": code_for(device)})

    assert client.get("/staf/triase/").status_code == 200
    assert client.get("/api/v1/staff/complaints/").status_code == 200
    refused = client.post(SETUP, {"action": "disable"})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(user=koordinator, confirmed=True).count() == 1
    # A new session must verify.
    client.logout()
    client.post("/staf/masuk/", {"username": koordinator.email, "password": PASSWORD})
    assert client.get("/staf/triase/")["Location"].startswith(VERIFY)
    # While unverified, enrolment cannot be used to add another device.
    assert client.get(SETUP)["Location"] == VERIFY


def test_an_opted_in_petugas_may_turn_it_off_once_verified(client, petugas):
    client.force_login(petugas)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=petugas)
    client.post(SETUP, {"code": code_for(device)})

    response = client.post(SETUP, {"action": "disable"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=petugas).exists()


def test_a_superuser_with_a_device_verifies_before_the_admin(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    plain = UserFactory(is_staff=True, is_superuser=True)
    enrolled(admin)

    client.force_login(plain)
    assert client.get("/admin/").status_code == 200
    client.force_login(admin)
    response = client.get("/admin/agencies/pemda/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Fagencies%2Fpemda%2F"


def test_next_outside_the_site_is_ignored(client, petugas):
    device = enrolled(petugas)
    client.force_login(petugas)

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://penipu.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/staf/kotak-masuk/"


def test_the_admin_can_remove_a_lost_device_but_never_read_its_secret(client, petugas):
    device = enrolled(petugas)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403

    deleted = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(user=petugas).exists()


def test_staff_find_the_enrolment_page_in_their_menu(client, petugas):
    client.force_login(petugas)

    assert f'href="{SETUP}"' in client.get("/staf/kotak-masuk/").content.decode()
    assert f'href="{SETUP}"' not in client.get("/").content.decode()  # citizens' menu


def test_the_switch_and_the_memberships_are_read_again_on_every_request(client, pemda, koordinator):
    """The requirement is read with the roles (one query per request): turning the switch on or
    off, or revoking the membership that made it apply, counts from the next request."""
    client.force_login(koordinator)
    assert client.get("/staf/triase/").status_code == 200

    pemda.two_factor_required = True
    pemda.save(update_fields=["two_factor_required"])
    assert client.get("/staf/triase/")["Location"].startswith(SETUP)

    pemda.two_factor_required = False
    pemda.save(update_fields=["two_factor_required"])
    assert client.get("/staf/triase/").status_code == 200

    pemda.two_factor_required = True
    pemda.save(update_fields=["two_factor_required"])
    koordinator.memberships.update(is_active=False)
    response = client.get("/staf/triase/")
    assert response.status_code == 403  # no role left, and no Pemda requiring the code of them
    assert not TOTPDevice.objects.exists()


def test_staff_learn_of_their_device_from_the_roles_query(client, petugas):
    """The second-step check asks for no query of its own: whether a staff member has a device
    comes with their roles (and counts from the next request, like the roles)."""
    client.force_login(petugas)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staf/kotak-masuk/").status_code == 200
    device_reads = [q["sql"] for q in queries if "otp_totp_totpdevice" in q["sql"]]
    assert len(device_reads) == 1
    assert device_reads[0].startswith('SELECT "agencies_staffmembership"."role"')

    device = enrolled(petugas)
    assert client.get("/staf/kotak-masuk/")["Location"].startswith(VERIFY)
    device.delete()
    assert client.get("/staf/kotak-masuk/").status_code == 200
