"""The empty filing page is rendered once per Pemda, language and day and kept in the process
(portal.views.filing._empty_form_page); each citizen still gets their own CSRF token and CSP nonce,
and whoever the kept page does not fit (signed in, a message waiting, another address) gets the page
rendered for them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from aduan.complaints.models import Complaint
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("default_policies")

FILE_URL = reverse("complaints:file")


def token_of(page: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


def nonce_of(page: str) -> str:
    return re.search(r'<style nonce="([^"]+)"', page).group(1)


def test_each_citizen_gets_their_own_token_and_nonce_and_can_file_with_them(pemda):
    url = f"{FILE_URL}?pemda={pemda.code}"
    pages = []
    for n in (1, 2):
        browser = Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.1.{n}.1")
        response = browser.get(url)
        page = response.content.decode()
        pages.append(page)
        assert f"'nonce-{nonce_of(page)}'" in response["Content-Security-Policy"]
        [token] = token_of(page)  # one token for the page's three forms, as {% csrf_token %} gives
        filed = browser.post(url, {
            "classification": "pengaduan", "title": f"Lampu jalan padam nomor {n}", "language": "id",
            "chronology": "Sudah seminggu lampu jalan padam.", "name": "Warga", "email": "w@example.id",
            "confirm_new": "1", "csrfmiddlewaretoken": token,
        })  # fmt: skip
        assert filed.status_code == 302
    assert token_of(pages[0]) != token_of(pages[1])
    assert nonce_of(pages[0]) != nonce_of(pages[1])
    assert "aduanCsrfTokenSlot" not in pages[1]
    assert "aduanCspNonceSlot" not in pages[1]
    assert Complaint.objects.count() == 2


def test_a_signed_in_visitor_and_a_citizen_after_them_each_get_their_own_header(pemda):
    url = f"{FILE_URL}?pemda={pemda.code}"
    compliance = reverse("compliance:index")
    assert compliance not in Client().get(url).content.decode()  # the page is kept now
    staff = Client()
    staff.force_login(UserFactory())
    assert compliance in staff.get(url).content.decode()  # signed in: the menu links the dashboard
    assert compliance not in Client().get(url).content.decode()


def test_a_message_waiting_is_shown_on_the_form_page(pemda):
    url = f"{FILE_URL}?pemda={pemda.code}"
    Client().get(url)  # the page is kept now
    browser = Client()
    browser.post(reverse("complaints:support", args=[999_999]), {"next": url})  # no such complaint
    page = browser.get(url).content.decode()
    assert "Aduan ini tidak dapat didukung." in page
    assert "Aduan ini tidak dapat didukung." not in browser.get(url).content.decode()  # shown once


def test_the_page_at_another_address_names_that_address_for_the_language_switch(pemda):
    Client().get(f"{FILE_URL}?pemda={pemda.code}")  # the page is kept now
    page = Client().get(f"{FILE_URL}?pemda={pemda.code.lower()}").content.decode()
    assert f'name="next" type="hidden" value="{FILE_URL}?pemda={pemda.code.lower()}"' in page
