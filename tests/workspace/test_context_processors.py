"""Staff keep their own menu on the compliance dashboard; the public menu stays for everyone else."""

import re


def _nav(html: str) -> str:
    match = re.search(r'<nav class="site-nav staff-nav".*?</nav>', html, re.S)
    return match.group(0) if match else ""


def test_ombudsman_sees_the_staff_menu_with_kepatuhan_current(client, ombudsman):
    client.force_login(ombudsman)
    html = client.get("/kepatuhan/").content.decode()
    nav = _nav(html)
    assert "Pemantauan Ombudsman" in nav
    assert re.search(r'href="/kepatuhan/" aria-current="page"', nav)
    assert "Sampaikan aduan" not in nav


def test_staff_pages_link_the_dashboard_for_roles_that_have_it(client, petugas, stranger):
    client.force_login(petugas)
    assert 'href="/kepatuhan/"' in _nav(client.get("/staf/kotak-masuk/").content.decode())
    client.force_login(stranger)  # signed in, but no role anywhere: no staff menu on the dashboard
    assert _nav(client.get("/kepatuhan/").content.decode()) == ""
