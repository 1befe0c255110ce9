"""The Content-Security-Policy in real Chromium: the citizen pages, the filing form, staff pages
(htmx, the compliance dashboard's charts, two-factor enrolment) and the API documentation (Swagger
UI, ReDoc) load without one violation; the language menu still works without its inline handler."""

from pathlib import Path

from django.conf import settings

from tests.factories import CategoryFactory, ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory

PASSWORD = "rahasia-123"
SHOTS = Path(settings.VAR_DIR) / "screenshots"

# Installed before any page script: records every CSP violation the page reports.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


def test_no_page_breaks_the_content_security_policy(chromium, live_server, default_policies):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=opd)
    complaint = ComplaintFactory(pemda=pemda)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user

    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="id-ID")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(20_000)
    console = []
    page.on(
        "console",
        lambda m: (
            console.append(m.text) if "Content Security Policy" in m.text or m.type == "error" else None
        ),
    )
    base = live_server.url
    seen = {}

    def visit(path, ready="main, body"):
        page.goto(base + path)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__csp")

    visit("/")
    visit("/aduan/", "form")
    # The language menu submits on change through site.js (no onchange= attribute any more).
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.get_attribute("html", "lang") == "en"
    with page.expect_navigation():
        page.select_option("#language-select", "id")
    visit("/lacak/", "form")

    page.goto(base + "/staf/masuk/")
    page.fill("#id_username", koordinator.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].button-primary")
    assert page.url.endswith("/staf/triase/")
    seen["/staf/triase/"] = page.evaluate("window.__csp")
    visit(f"/staf/aduan/{complaint.pk}/")
    visit(f"/kepatuhan/pemda/{pemda.pk}/")
    visit("/staf/dua-langkah/daftar/", "figure.otp-qr svg")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-2fa-setup.png"), full_page=True)
    visit("/api/docs/", ".opblock-summary-path")
    visit("/api/redoc/", ".api-content")

    context.close()
    # ReDoc renders; the one thing refused there is its "by Redocly" logo from cdn.redoc.ly: the
    # policy keeping the page on this site's own files, as intended.
    redoc = seen.pop("/api/redoc/")
    assert all(v.startswith("img-src https://cdn.redoc.ly/") for v in redoc), redoc
    assert {path: v for path, v in seen.items() if v} == {}
    assert [m for m in console if "Content Security Policy" in m and "cdn.redoc.ly" not in m] == []
