"""Public pages: home (/), the public list (/publik/), statistics (/statistik/), the 429 page, and
the figures behind them (aduan.portal.public_stats).

The dataset is built in November 2025 (WITA), a month without national holidays, so working days
are plain Monday–Friday counts. The home page reads "this month" through ``portal._now``, which
the tests pin to 25 November 2025.
"""

import re
from decimal import Decimal as D

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory

from aduan.complaints.models import Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData, complaint_rate, complaint_support
from aduan.complaints.workflow import Action, complaint_transition
from aduan.compliance.metrics import metrics_for
from aduan.compliance.metrics_scan import metrics_scan
from aduan.compliance.periods import Period
from aduan.portal import public_stats
from aduan.portal.views import portal
from tests.factories import (
    CategoryFactory,
    ComplaintFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    wita,
)

NAME, EMAIL, PHONE = "Wiryawan Kusumadewi Prasetyo", "wiryawan.unik@example.id", "081399988877"
CHRONOLOGY = "KRONOLOGI-RAHASIA-7731: saya melihat petugas meminta uang di loket kelurahan."
NOW = wita(2025, 11, 25, 10, 0)


def reporter():
    return ReporterData(name=NAME, email=EMAIL, phone=PHONE)


def submit(world, at, **kwargs):
    kwargs.setdefault("reporter", reporter())
    kwargs.setdefault("chronology", CHRONOLOGY)
    return ComplaintFactory(pemda=world.pemda, now=at, **kwargs)


def move(complaint, action, actor, at, **kwargs):
    complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, now=at, **kwargs)
    complaint.refresh_from_db()


def handled(world, *, opd, submitted, dispatched, followed_up=None, accepted=None, rating=None, **kwargs):
    """A complaint moved through dispatch, follow-up and acceptance at the given moments."""
    c = submit(world, submitted, **kwargs)
    move(c, Action.DISPATCH, Actor.staff(world.koordinator), dispatched, opd=opd)
    petugas = world.petugas[0] if opd == world.opd else world.other_petugas
    if followed_up:
        move(c, Action.FOLLOW_UP, Actor.staff(petugas), followed_up, note="Sudah kami tangani.")
    if accepted:
        move(c, Action.ACCEPT, Actor.citizen(c.tracking_secret), accepted)
    if rating:
        complaint_rate(
            complaint_id=c.pk, actor=Actor.citizen(c.tracking_secret), score=rating, now=accepted or NOW
        )
    return c


@pytest.fixture
def dataset(world):
    """November 2025 in one Pemda (WITA):

    OPD A (Dinas Pekerjaan Umum): three complaints submitted Mon 3 Nov 09:00, dispatched Tue 4 Nov
      c1 followed up Thu 6 Nov (on time), accepted Fri 7 Nov  → 4 HK to resolve, rated 5
      c2 followed up Mon 10 Nov (on time; due 11 Nov), accepted Wed 12 Nov → 7 HK, rated 4
      c3 followed up Mon 17 Nov (late), accepted Thu 20 Nov → 13 HK, not rated
    OPD B (Dinas Perhubungan): c4 dispatched Wed 5 Nov (2 supporters), c5 rahasia dispatched 5 Nov
    October: c0 dispatched to A, followed up late and accepted in October (outside November).
    """
    a, b = world.opd, world.other_opd
    c1 = handled(
        world, opd=a, submitted=wita(2025, 11, 3, 9), dispatched=wita(2025, 11, 4, 9),
        followed_up=wita(2025, 11, 6, 9), accepted=wita(2025, 11, 7, 9), rating=5,
    )  # fmt: skip
    c2 = handled(
        world, opd=a, submitted=wita(2025, 11, 3, 9), dispatched=wita(2025, 11, 4, 9),
        followed_up=wita(2025, 11, 10, 9), accepted=wita(2025, 11, 12, 9), rating=4,
    )  # fmt: skip
    c3 = handled(
        world, opd=a, submitted=wita(2025, 11, 3, 9), dispatched=wita(2025, 11, 4, 9),
        followed_up=wita(2025, 11, 17, 9), accepted=wita(2025, 11, 20, 9),
    )  # fmt: skip
    c4 = handled(world, opd=b, submitted=wita(2025, 11, 3, 9), dispatched=wita(2025, 11, 5, 9))
    for key in ("tetangga-1", "tetangga-2"):
        complaint_support(complaint_id=c4.pk, supporter_key=key, now=wita(2025, 11, 6, 9))
    c5 = handled(
        world, opd=b, submitted=wita(2025, 11, 3, 9), dispatched=wita(2025, 11, 5, 9),
        is_confidential=True, title="Aduan rahasia tentang pungutan liar",
    )  # fmt: skip
    c0 = handled(
        world, opd=a, submitted=wita(2025, 10, 1, 9), dispatched=wita(2025, 10, 2, 9),
        followed_up=wita(2025, 10, 20, 9), accepted=wita(2025, 10, 21, 9), rating=1,
    )  # fmt: skip
    return {"c0": c0, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}


@pytest.fixture
def pinned_now(monkeypatch):
    monkeypatch.setattr(portal, "_now", lambda: NOW)


def labelled(html: str) -> None:
    """Every visible form control has a <label for=its id>."""
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit)"', tag):
            continue
        match = re.search(r'\bid="([^"]+)"', tag)
        assert match, f"form control without id: {tag}"
        assert f'<label for="{match.group(1)}"' in html, f"no label for {match.group(1)}"


def common_page_checks(html: str) -> None:
    assert re.search(r'<html lang="id">', html)
    assert "<main" in html
    assert "</main>" in html
    assert 'class="skip-link" href="#konten"' in html
    assert 'id="konten"' in html
    assert "/static/aduan/site.css" in html
    assert "<style" not in html  # the CSS lives in site.css
    labelled(html)


def no_personal_data(html: str) -> None:
    for secret in (NAME, "Wiryawan", EMAIL, PHONE, "KRONOLOGI-RAHASIA-7731", "meminta uang"):
        assert secret not in html


# ---------------------------------------------------------------------------------- figures


NOVEMBER = Period.month(2025, 11)


def test_figures_for_november(dataset, world):
    f = public_stats.pemda_figures(pemdas=[world.pemda], period=NOVEMBER)
    assert f.received == 5
    assert (f.followed_up_on_time, f.follow_up_total, f.followed_up_on_time_pct) == (2, 3, D("66.7"))
    assert (f.resolve_days, f.resolved) == ([4, 7, 13], 3)
    assert f.median_resolve_days == 7
    assert (f.rating_count, f.mean_rating) == (2, D("4.50"))
    assert f.supporters == 2


def test_figures_per_opd_for_november(dataset, world):
    table = public_stats.opd_table(pemdas=[world.pemda], period=NOVEMBER)
    rows = {row.opd: row.figures for row in table.rows}
    a, b = rows[world.opd], rows[world.other_opd]
    assert (a.received, a.followed_up_on_time, a.follow_up_total, a.followed_up_on_time_pct) == (
        3,
        2,
        3,
        D("66.7"),
    )
    assert (a.resolve_days, a.median_resolve_days, a.mean_rating, a.supporters) == (
        [4, 7, 13],
        7,
        D("4.50"),
        0,
    )
    assert (b.received, b.followed_up_on_time_pct, b.median_resolve_days, b.mean_rating, b.supporters) == (
        2, None, None, None, 2,
    )  # fmt: skip


def test_figures_for_the_year_include_october(dataset, world):
    table = public_stats.opd_table(pemdas=[world.pemda], period=Period.year(2025))
    a = next(row.figures for row in table.rows if row.opd == world.opd)
    assert (a.received, a.followed_up_on_time, a.follow_up_total) == (4, 2, 4)
    assert a.followed_up_on_time_pct == D("50.0")
    assert a.resolve_days == [4, 7, 13, 14]  # c0: Wed 1 Oct → Tue 21 Oct
    assert a.median_resolve_days == 10
    assert (a.rating_count, a.mean_rating) == (3, D("3.33"))
    assert table.totals.received == 6


def test_an_inactive_opd_is_listed_only_for_a_period_it_has_figures_in(dataset, world):
    world.other_opd.is_active = False
    world.other_opd.save()
    idle = OpdFactory(pemda=world.pemda, is_active=False)
    november = [row.opd for row in public_stats.opd_table(pemdas=[world.pemda], period=NOVEMBER).rows]
    assert world.other_opd in november  # it received complaints in November
    assert idle not in november
    assert world.opd in november
    empty = [row.opd for row in public_stats.opd_table(pemdas=[world.pemda], period=Period.year(2023)).rows]
    assert world.other_opd not in empty
    assert world.opd in empty  # active: listed even without figures


def test_redispatch_after_running_out_counts_as_late_for_the_first_opd(world):
    c = submit(world, wita(2025, 11, 3, 9))
    move(c, Action.DISPATCH, Actor.staff(world.koordinator), wita(2025, 11, 4, 9), opd=world.opd)
    move(c, Action.REDISPATCH, Actor.staff(world.koordinator), wita(2025, 11, 14, 9), opd=world.other_opd)
    move(c, Action.FOLLOW_UP, Actor.staff(world.other_petugas), wita(2025, 11, 17, 9), note="Selesai.")
    table = public_stats.opd_table(pemdas=[world.pemda], period=NOVEMBER)
    rows = {row.opd: row.figures for row in table.rows}
    assert (rows[world.opd].followed_up_on_time, rows[world.opd].follow_up_total) == (0, 1)
    assert (rows[world.other_opd].followed_up_on_time, rows[world.other_opd].follow_up_total) == (1, 1)
    assert (rows[world.opd].received, rows[world.other_opd].received) == (1, 1)


def test_archived_complaints_are_not_resolutions(world):
    c = submit(world, wita(2025, 11, 3, 9))
    move(c, Action.ARCHIVE, Actor.staff(world.koordinator), wita(2025, 11, 4, 9), reason="unintelligible")
    f = public_stats.pemda_figures(pemdas=[world.pemda], period=NOVEMBER)
    assert f.received == 1
    assert f.resolve_days == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026", "2026"), ("2026-11", "2026-11"), (" 2025-01 ", "2025-01"), ("2026-13", None), ("2026-00", None),
     ("1999", None), ("26", None), ("2026-1", None), ("abc", None), ("", None), (None, None),
     ("2026-Q2", None), ("2026-01-01..2026-03-15", None)],
)  # fmt: skip
def test_statistics_period_is_a_year_or_a_month(text, expected):
    period = portal._year_or_month(text)
    assert (None if period is None else period.key) == expected


def test_period_bounds_are_local():
    zone = wita(2025, 1, 1).tzinfo
    assert Period.month(2025, 12).bounds(zone) == (wita(2025, 12, 1), wita(2026, 1, 1))
    assert Period.this_month(wita(2025, 11, 30, 23, 30), zone) == Period.month(2025, 11)


@pytest.mark.parametrize("period", [NOVEMBER, Period.year(2025), Period.month(2025, 10)])
def test_public_statistics_agree_with_the_compliance_metrics(dataset, world, period):
    """The statistics page and the compliance dashboard count the same things the same way:
    received, followed up within 5 working days and median days to resolve, per OPD and in total;
    and both equal a full scan of complaints, hops, clocks and ratings (metrics_scan), which the
    public figures, read from the rollups, no longer run."""
    table = public_stats.opd_table(pemdas=[world.pemda], period=period)
    m = metrics_for(pemdas=[world.pemda], period=period, now=NOW)
    scanned = metrics_scan(pemdas=[world.pemda], period=period, now=NOW)

    def shown(f):
        return (f.received, f.followed_up_on_time, f.follow_up_total, f.followed_up_on_time_pct,
                f.resolved, f.median_resolve_days, f.mean_rating, f.supporters)  # fmt: skip

    assert shown(table.totals) == shown(m.by_pemda[world.pemda.pk]) == shown(scanned.by_pemda[world.pemda.pk])
    assert table.totals.received > 0
    rows = {row.opd.pk: row.figures for row in table.rows}
    assert set(rows) == {o.pk for o in m.opds} == {o.pk for o in scanned.opds}
    for opd_pk, figures in rows.items():
        assert shown(figures) == shown(m.by_opd[opd_pk]) == shown(scanned.by_opd[opd_pk])


# ---------------------------------------------------------------------------------- home


def test_home_names_the_pemda_and_shows_the_ways_in(client, world, pinned_now):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    common_page_checks(html)
    assert f"Layanan pengaduan {world.pemda.name}" in html
    assert re.search(r'<a class="button button-primary[^"]*" href="/aduan/">Sampaikan aduan</a>', html)
    form = re.search(r'<form method="get" action="/lacak/">(.*?)</form>', html, re.S).group(1)
    assert 'name="tiket"' in form
    assert 'name="kontak"' in form
    for href in ("/aduan/", "/lacak/", "/publik/", "/statistik/"):
        assert f'href="{href}"' in html
    assert "SP4N-LAPOR!" in html


def test_home_figures(client, dataset, pinned_now):
    html = client.get("/").content.decode()
    assert re.search(r'id="angka-diterima">5<', html)
    assert re.search(r'id="angka-tepat-waktu">66,7%<', html)
    assert re.search(r'id="angka-median">7<', html)
    assert "November 2025" in html
    no_personal_data(html)


def test_home_without_data_shows_dashes(client, world, pinned_now):
    html = client.get("/").content.decode()
    assert re.search(r'id="angka-diterima">0<', html)
    assert re.search(r'id="angka-tepat-waktu">—<', html)


def test_home_with_several_pemdas_has_a_neutral_title(client, world, pinned_now):
    PemdaFactory()
    html = client.get("/").content.decode()
    assert "<h1>Sampaikan aduan pelayanan publik</h1>" in html
    assert world.pemda.name not in html


def test_home_language_switcher_and_messages_markup(client, world, pinned_now):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert "<noscript><button" in html
    assert 'aria-label="Menu utama"' in html


# ---------------------------------------------------------------------------------- public list


def test_public_list_shows_public_complaints_without_personal_data(client, dataset, world):
    anonymous = submit(
        world, wita(2025, 11, 4, 9), is_anonymous=True, title="Lampu jalan padam di Gunung Sari",
        reporter=ReporterData(name="Anonim Rahasia Sekali", email="anon.unik@example.id", phone=""),
    )  # fmt: skip
    response = client.get("/publik/")
    html = response.content.decode()
    assert response.status_code == 200
    common_page_checks(html)
    for key in ("c0", "c1", "c2", "c3", "c4"):
        assert dataset[key].ticket_number in html
    assert anonymous.ticket_number in html
    assert "Lampu jalan padam di Gunung Sari" in html
    assert dataset["c5"].ticket_number not in html
    assert "pungutan liar" not in html
    no_personal_data(html)
    assert "Anonim Rahasia Sekali" not in html
    assert "anon.unik@example.id" not in html
    assert "Didisposisikan ke OPD" in html
    assert "Selesai" in html
    assert "Dinas Perhubungan" in html
    assert "3 November 2025" in html
    assert response.context["page"].paginator.count == 6


def tickets(response) -> list[str]:
    return [row["ticket_number"] for row in response.context["rows"]]


def test_public_list_is_newest_first(client, dataset):
    order = tickets(client.get("/publik/"))
    assert order[0] == dataset["c4"].ticket_number
    assert order[-1] == dataset["c0"].ticket_number


def test_public_list_filters(client, dataset, world):
    parent = CategoryFactory(pemda=world.pemda, name="Infrastruktur")
    child = CategoryFactory(pemda=world.pemda, name="Jalan rusak", parent=parent)
    other = CategoryFactory(pemda=None, name="Perizinan")
    in_child = submit(world, wita(2025, 11, 5, 9), category=child)
    in_other = submit(world, wita(2025, 11, 5, 10), category=other)
    d = dataset

    assert set(tickets(client.get("/publik/", {"opd": world.other_opd.pk}))) == {d["c4"].ticket_number}
    assert set(tickets(client.get("/publik/", {"kategori": parent.pk}))) == {in_child.ticket_number}
    assert set(tickets(client.get("/publik/", {"kategori": other.pk}))) == {in_other.ticket_number}
    assert set(tickets(client.get("/publik/", {"status": Status.RESOLVED}))) == {
        d[k].ticket_number for k in ("c0", "c1", "c2", "c3")
    }
    assert set(tickets(client.get("/publik/", {"bulan": "2025-10"}))) == {d["c0"].ticket_number}
    both = client.get("/publik/", {"opd": world.opd.pk, "bulan": "2025-11", "status": "resolved"})
    assert set(tickets(both)) == {d[k].ticket_number for k in ("c1", "c2", "c3")}
    html = both.content.decode()
    assert f'<option value="{world.opd.pk}" selected>' in html
    assert '<option value="resolved" selected>' in html
    assert 'value="2025-11"' in html
    assert "Infrastruktur › Jalan rusak" in client.get("/publik/").content.decode()


@pytest.mark.parametrize(
    "params",
    [{"opd": "abc"}, {"opd": "999999"}, {"kategori": "x"}, {"kategori": "-1"}, {"status": "nope"},
     {"bulan": "2025-13"}, {"bulan": "2025"}, {"bulan": "November"}, {"halaman": "zz"}, {"opd": ""}],
)  # fmt: skip
def test_public_list_ignores_bad_filter_values(client, dataset, params):
    response = client.get("/publik/", params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5  # c0–c4; c5 is rahasia
    assert not response.context["filtered"]


def test_public_list_of_several_pemdas_offers_a_pemda_then_its_opds(client, dataset, world):
    """Two Pemdas: the list shows both until one is chosen; an OPD filter only for the chosen
    Pemda (not every OPD of every Pemda); pages and the OPD filter keep the Pemda."""
    other = PemdaFactory(name="Kabupaten Lain", code="LAIN")
    OpdFactory(pemda=other, name="Dinas Luar Daerah")
    foreign = ComplaintFactory(pemda=other, title="Jembatan putus di kabupaten lain")
    response = client.get("/publik/")
    html = response.content.decode()
    assert 'name="pemda"' in html
    assert 'name="opd"' not in html
    assert "Dinas Luar Daerah" not in html
    assert response.context["page"].paginator.count == 6  # c0–c4 and the other Pemda's

    response = client.get("/publik/", {"pemda": "lain"})
    html = response.content.decode()
    assert response.context["chosen"]["pemda"] == "LAIN"
    assert [r["ticket_number"] for r in response.context["rows"]] == [foreign.ticket_number]
    assert "Dinas Luar Daerah" in html
    assert "Dinas Pekerjaan Umum" not in html

    response = client.get("/publik/", {"pemda": world.pemda.code, "opd": world.opd.pk})
    assert response.context["page"].paginator.count == 4  # c0–c3 at OPD A
    # an OPD of another Pemda is no filter there; an unknown Pemda code shows every Pemda
    assert client.get("/publik/", {"pemda": "LAIN", "opd": world.opd.pk}).context["chosen"]["opd"] is None
    assert client.get("/publik/", {"pemda": "NOPE"}).context["page"].paginator.count == 6


def test_public_list_with_one_pemda_offers_only_its_opds(client, world):
    html = client.get("/publik/").content.decode()
    assert "Dinas Pekerjaan Umum" in html
    assert "Dinas Perhubungan" in html


def test_public_list_paginates_by_25(client, world):
    first = submit(world, wita(2025, 11, 1, 8))
    for i in range(25):
        submit(world, wita(2025, 11, 2, 8, i))
    page1 = client.get("/publik/")
    assert len(page1.context["rows"]) == 25
    assert first.ticket_number not in tickets(page1)
    html = page1.content.decode()
    assert 'href="?halaman=2"' in html
    assert "Halaman 1 dari 2" in html
    page2 = client.get("/publik/", {"halaman": 2})
    assert tickets(page2) == [first.ticket_number]
    assert tickets(client.get("/publik/", {"halaman": 99})) == [first.ticket_number]
    filtered = client.get("/publik/", {"bulan": "2025-11"}).content.decode()
    assert 'href="?bulan=2025-11&amp;halaman=2"' in filtered


def test_public_list_is_cacheable_per_language(client, world):
    response = client.get("/publik/")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    vary = response["Vary"]
    assert "Accept-Language" in vary
    assert "Cookie" in vary


@pytest.mark.parametrize("url", ["/", "/publik/", "/statistik/"])
def test_public_pages_are_cacheable(client, world, url):
    response = client.get(url)
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]


def test_a_page_with_a_message_for_this_visitor_is_not_shared(rf, world):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._messages.add(25, "Aduan Anda sudah kami terima.")
    response = portal.home(request)
    assert "Aduan Anda sudah kami terima." in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_public_pages_answer_get_only(client, world):
    assert client.post("/publik/").status_code == 405
    assert client.post("/statistik/").status_code == 405


# ---------------------------------------------------------------------------------- statistics


def test_statistics_for_a_month(client, dataset, world):
    response = client.get("/statistik/", {"periode": "2025-11"})
    html = response.content.decode()
    assert response.status_code == 200
    common_page_checks(html)
    row = re.search(rf'<tr data-opd="{world.opd.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == "3"
    assert cells[1].startswith("66,7%")
    assert "(2/3)" in cells[1]
    assert cells[2].startswith("7 ")
    assert "n=3" in cells[2]
    assert cells[3].startswith("4,5")
    assert "n=2" in cells[3]
    assert cells[4] == "0"
    other = re.search(rf'<tr data-opd="{world.other_opd.pk}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", other, re.S) == ["2", "—", "—", "—", "2"]
    total = re.search(r'<tr data-opd="total">(.*?)</tr>', html, re.S).group(1)
    assert world.pemda.name in total
    assert re.findall(r"<td[^>]*>(.*?)</td>", total, re.S)[0] == "5"
    assert 'value="2025-11"' in html
    assert "November 2025" in html
    no_personal_data(html)


def test_statistics_default_to_this_year_and_ignore_bad_periods(client, dataset, world, pinned_now):
    for params in ({}, {"periode": "2025-13"}, {"periode": "nonsense"}):
        response = client.get("/statistik/", params)
        assert response.context["period"].key == "2025"
        a = next(r.figures for r in response.context["table"].rows if r.opd == world.opd)
        assert a.received == 4


def test_statistics_for_an_empty_period(client, dataset):
    html = client.get("/statistik/", {"periode": "2024"}).content.decode()
    assert "tahun 2024" in html
    assert "Dinas Pekerjaan Umum" in html


def _td(html, attribute, value):
    row = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def test_statistics_of_several_pemdas_show_one_row_per_pemda_then_its_opds(client, dataset, world):
    """An installation serving several Pemdas lists the Pemdas (not every OPD of every Pemda),
    each row leading to its OPDs; the figures are each Pemda's own."""
    other = PemdaFactory(name="Kabupaten Lain", code="LAIN")
    OpdFactory(pemda=other, name="Dinas Luar Daerah")
    response = client.get("/statistik/", {"periode": "2025-11"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["per_pemda"]
    assert "Dinas Pekerjaan Umum" not in html
    assert "Dinas Luar Daerah" not in html
    assert [r.pemda for r in response.context["table"].rows] == sorted(
        [world.pemda, other], key=lambda p: p.name
    )
    assert _td(html, "data-pemda", world.pemda.code)[0] == "5"
    assert _td(html, "data-pemda", "LAIN") == ["0", "—", "—", "—", "0"]
    assert _td(html, "data-opd", "total")[0] == "5"
    assert f'href="?pemda={world.pemda.code}&amp;periode=2025-11"' in html
    no_personal_data(html)

    response = client.get("/statistik/", {"periode": "2025-11", "pemda": world.pemda.code.lower()})
    html = response.content.decode()
    assert response.context["pemda"] == world.pemda
    assert not response.context["per_pemda"]
    assert _td(html, "data-opd", world.opd.pk)[0] == "3"
    assert "Dinas Luar Daerah" not in html
    assert f'name="pemda" value="{world.pemda.code}"' in html  # the period form keeps the Pemda
    assert 'href="?periode=2025-11"' in html  # back to every Pemda


@pytest.mark.parametrize("code", ["NOPE", "x", "<script>", "A" * 40])
def test_statistics_for_an_unknown_pemda_code_say_so_and_list_every_pemda(client, dataset, world, code):
    PemdaFactory(name="Kabupaten Lain", code="LAIN")
    response = client.get("/statistik/", {"pemda": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["per_pemda"]
    assert response.context["pemda"] is None
    assert "Tidak ada pemda dengan kode" in html
    assert "<script>" not in html
    assert len(response.context["table"].rows) == 2


def test_statistics_refuse_a_nul_in_the_pemda_code(client, dataset, world):
    PemdaFactory(name="Kabupaten Lain", code="LAIN")
    assert client.get("/statistik/", {"pemda": "BPN\x00"}).status_code == 400


def test_statistics_of_one_pemda_ignore_a_pemda_code(client, dataset, world):
    response = client.get("/statistik/", {"pemda": "NOPE"})
    assert response.context["pemda"] == world.pemda
    assert not response.context["unknown_code"]


# With several Pemdas — /publik/: the Pemdas; the national categories; the count; the page (and
# the chosen Pemda's OPDs). /statistik/: the first two Pemdas; the Pemdas; their cells (or the
# chosen one; its cells; its OPDs).
@pytest.mark.parametrize(("url", "queries", "chosen_queries"), [("/publik/", 4, 5), ("/statistik/", 3, 4)])
def test_pages_of_several_pemdas_run_a_fixed_number_of_queries(
    client, dataset, world, url, queries, chosen_queries, django_assert_num_queries
):
    PemdaFactory(name="Kabupaten Lain", code="LAIN")
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    for _ in range(3):
        OpdFactory(pemda=PemdaFactory())
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(chosen_queries):
        assert client.get(url, {"pemda": world.pemda.code}).status_code == 200


# ---------------------------------------------------------------------------------- query counts


def bigger(world):
    """More OPDs, categories and complaints in every state, ratings and supporters."""
    opds = [OpdFactory(pemda=world.pemda) for _ in range(4)]
    for _ in range(3):
        CategoryFactory(pemda=world.pemda, parent=CategoryFactory(pemda=world.pemda))
    for i, opd in enumerate(opds):
        MembershipFactory(role="petugas_opd", opd=opd)
        for j in range(3):
            c = submit(world, wita(2025, 11, 3 + j, 9, i))
            move(c, Action.DISPATCH, Actor.staff(world.koordinator), wita(2025, 11, 6 + j, 9), opd=opd)
            petugas = Actor.staff(opd.memberships.first().user)
            move(c, Action.FOLLOW_UP, petugas, wita(2025, 11, 10 + j + i, 9), note="Ditangani.")
            move(c, Action.ACCEPT, Actor.citizen(c.tracking_secret), wita(2025, 11, 18, 9))
            complaint_rate(complaint_id=c.pk, actor=Actor.citizen(c.tracking_secret), score=1 + j, now=NOW)
        for k in range(2):
            s = submit(world, wita(2025, 11, 20, 9, k))
            complaint_support(complaint_id=s.pk, supporter_key=f"k{i}{k}", now=NOW)


PAGES = [("/", {}), ("/publik/", {}), ("/publik/", {"opd": "A", "bulan": "2025-11"}), ("/statistik/", {})]


# "/": the Pemda, this month's rollup cells; "/statistik/": the Pemda, the cells, the OPDs.
EXPECTED_QUERIES = {"/": 2, "/publik/": 5, "/statistik/": 3}


@pytest.mark.parametrize(("url", "params"), PAGES)
def test_query_counts_do_not_grow_with_the_data(client, dataset, world, pinned_now, url, params,
                                                django_assert_num_queries):  # fmt: skip
    expected = EXPECTED_QUERIES[url]
    params = {k: (world.opd.pk if v == "A" else v) for k, v in params.items()}
    with django_assert_num_queries(expected):
        assert client.get(url, params).status_code == 200
    bigger(world)
    with django_assert_num_queries(expected):
        assert client.get(url, params).status_code == 200
    with django_assert_num_queries(expected):
        assert client.get(url, {**params, "halaman": "2"}).status_code == 200


PUBLIC_FIGURES = ["/", "/statistik/", "/statistik/?periode=2025", "/statistik/?periode=2025-10"]
SCANNED = ('complaints_complaint"', "complaints_complainthop", "sla_deadline", "complaints_complaintrating")


@pytest.mark.parametrize("url", PUBLIC_FIGURES)
def test_public_figures_come_from_the_rollups_not_the_complaints(client, dataset, world, pinned_now, url):
    """The home page's and the statistics page's figures are sums of rollup cells: no query reads
    complaints, hops, clocks or ratings, whatever the period."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    read = " ".join(q["sql"] for q in queries)
    assert "sla_metricrollup" in read
    for table in SCANNED:
        assert table not in read


# ---------------------------------------------------------------------------------- layout


def test_site_css_is_a_local_static_file():
    path = finders.find("aduan/site.css")
    assert path
    css = open(path, encoding="utf-8").read()
    for selector in (".muted", ".countdown.ok", ".countdown.soon", ".countdown.late", ".countdown.paused",
                     ".breach", "dl.facts", ".button-primary", ":focus-visible", ".skip-link"):  # fmt: skip
        assert selector in css
    assert "http://" not in css
    assert "https://" not in css
    assert "@import" not in css


def test_429_page_renders_with_minutes(db):
    request = RequestFactory().get("/aduan/")
    html = render_to_string("complaints/429.html", {"retry_after_minutes": 7}, request=request)
    assert "Terlalu banyak permintaan" in html
    assert "7 menit" in html
    assert '<html lang="id">' in html
    assert "<main" in html
    fallback = render_to_string("complaints/429.html", {}, request=request)
    assert "Silakan coba lagi sebentar lagi." in fallback


def test_messages_are_rendered_in_base(rf, db):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._messages.add(25, "Aduan Anda sudah kami terima.")
    html = render_to_string("complaints/429.html", {}, request=request)
    assert re.search(
        r'<div role="status"[^>]*>\s*<ul class="messages">\s*<li class="success">Aduan Anda', html
    )


# ---------------------------------------------------------------------------------- throttles


def test_pages_and_api_read_their_allowances_from_the_one_table():
    """aduan.core.throttle.LIMITS is the only place a limit is written: the filing page and the API
    throttles count in the same scopes with the same allowances (the numbers as before the table)."""
    from aduan.api import throttling
    from aduan.core.throttle import LIMITS, Limit
    from aduan.portal.views import filing

    assert LIMITS["file"] == Limit(60, 3600)  # posts of the form, refused ones included
    assert LIMITS["filed"] == Limit(10, 3600)  # complaints filed
    assert LIMITS["track-post"] == Limit(30, 3600)
    assert LIMITS["login"] == Limit(20, 15 * 60)
    assert filing.SUPPORT_THROTTLE == {"scope": "support", "limit": 30, "window_seconds": 3600}
    api_scopes = {
        cls.scope for cls in vars(throttling).values()
        if isinstance(cls, type) and issubclass(cls, throttling.WindowThrottle) and cls.scope
    }  # fmt: skip
    assert api_scopes == {"file", "support", "track-post", "api-track", "login", "api-staff"}
    assert api_scopes <= set(LIMITS)
    assert not hasattr(throttling, "Open311PostThrottle")
