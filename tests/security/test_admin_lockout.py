"""The Django admin's sign-in (/admin/login/) shares the staff sign-in lockout."""

from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory

PASSWORD = "rahasia-123"


def test_sixth_admin_sign_in_is_refused_even_with_the_right_password(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        wrong = client.post("/admin/login/", {"username": admin.email, "password": "salah"})
        assert wrong.status_code == 200  # the form again, with its error

    locked = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})

    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302  # still signed out
    admin.refresh_from_db()
    assert admin.last_login is None


def test_admin_and_staff_sign_in_count_together(client, koordinator):
    for _ in range(3):
        client.post("/admin/login/", {"username": koordinator.email, "password": "salah"})
    for _ in range(2):
        client.post("/staf/masuk/", {"username": koordinator.email, "password": "salah"})

    locked = client.post("/staf/masuk/", {"username": koordinator.email, "password": PASSWORD})

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session


def test_admin_sign_in_still_works(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)

    response = client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin.pk)
    assert client.get("/admin/").status_code == 200
