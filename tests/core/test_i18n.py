"""The English catalogue: complete, compiled, in step with the source, and used at runtime.

The source strings are Indonesian; aduan/locale/en/LC_MESSAGES/django.po translates them. After
adding or changing a translatable string run (from the project root)

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench
    # translate the new entries, remove any "#, fuzzy" flag, then
    .venv/bin/python manage.py compilemessages --ignore=.venv

and commit both django.po and django.mo (the .mo is kept in the repository because a fresh machine
may lack msgfmt).
"""

import ast
import re
import shutil
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from aduan.complaints.models import ActorRole, Status
from aduan.complaints.workflow import Action, ReopenWindowClosed, TransitionNotAllowed, complaint_transition
from aduan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from aduan.sla.models import Stage

BASE_DIR = settings.BASE_DIR
PO_PATH = BASE_DIR / "aduan" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# The same directories makemessages is told to skip (see the module docstring).
MAKEMESSAGES_IGNORE = [".venv", "var", "tests", "bench"]


# --- a small .po reader (polib is not a dependency) -------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry, else the plural index
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def parse_po(path) -> list[PoEntry]:
    """Entries of a .po file, the header (msgid "") included and obsolete (#~) entries left out.

    Handles flags, msgctxt, plural forms and strings continued over several lines."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None  # the field that a continuation line extends

    def finish():
        nonlocal entry
        if entry is not None:
            entries.append(entry)
        entry = None

    def append(text: str):
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += text
        else:
            setattr(entry, name, getattr(entry, name) + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            finish()  # a blank line or an obsolete entry ends the current entry
            target = None
            continue
        if line.startswith("#,"):
            finish()
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            finish()
            continue
        if line.startswith('"'):
            assert entry is not None, f"{path}:{number}: stray string"
            assert target is not None, f"{path}:{number}: stray string"
            append(ast.literal_eval(line))
            continue
        match = _KEYWORD.match(line)
        assert match, f"{path}:{number}: cannot parse {raw!r}"
        keyword, plural_index, text = match.groups()
        text = ast.literal_eval(text)
        if keyword in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
            finish()  # msgctxt or msgid after a msgstr starts the next entry
        if entry is None:
            entry = PoEntry(flags=flags, line=number)
            flags = set()
        if keyword.startswith("msgstr"):
            index = int(plural_index) if plural_index is not None else 0
            entry.msgstr[index] = text
            target = ("msgstr", index)
        else:
            setattr(entry, keyword, text)
            target = (keyword, None)
    finish()
    return entries


def describe(entry: PoEntry) -> str:
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt is not None else ""
    return f"line {entry.line}: {entry.msgid!r}{context}"


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return [e for e in parse_po(PO_PATH) if e.msgid]  # without the header


# --- the catalogue file itself ----------------------------------------------------------------


def test_catalogue_and_compiled_catalogue_exist():
    assert PO_PATH.is_file(), f"{PO_PATH} is missing; see this module's docstring"
    assert MO_PATH.is_file(), f"{MO_PATH} is missing; run compilemessages and commit the .mo"


def test_parser_reads_multiline_plural_and_context_entries(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid ""\n"Satu baris "\n"dua baris %(n)s."\nmsgstr ""\n"One line "\n'
        '"two lines %(n)s."\n\n'
        'msgctxt "menu"\nmsgid "Buka"\nmsgstr "Open"\n\n'
        '#, fuzzy\nmsgid "satu berkas"\nmsgid_plural "%(n)s berkas"\nmsgstr[0] "one file"\n'
        'msgstr[1] ""\n\n'
        '#~ msgid "lama"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    header, multiline, with_context, plural = parse_po(sample)
    assert header.msgid == ""
    assert "Language: en" in header.msgstr[0]
    assert multiline.msgid == "Satu baris dua baris %(n)s."
    assert multiline.msgstr == {0: "One line two lines %(n)s."}
    assert multiline.flags == {"python-format"}
    assert with_context.key == ("menu", "Buka")
    assert with_context.msgstr == {0: "Open"}
    assert plural.msgid_plural == "%(n)s berkas"
    assert plural.msgstr == {0: "one file", 1: ""}
    assert "fuzzy" in plural.flags


def test_catalogue_is_english_and_its_header_is_not_fuzzy():
    header = parse_po(PO_PATH)[0]
    assert header.msgid == "", "the .po file must start with its header entry"
    assert "fuzzy" not in header.flags, 'remove "#, fuzzy" from the header or msgfmt drops the charset'
    assert "Language: en\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries):
    assert len(po_entries) > 100  # the parser found the catalogue, not an empty file
    fuzzy = [describe(e) for e in po_entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)
    empty = [describe(e) for e in po_entries if not e.msgstr or not all(e.msgstr.values())]
    assert not empty, "untranslated entries in django.po:\n" + "\n".join(empty)


def test_translations_keep_the_placeholders(po_entries):
    """A translation must use the same %(name)s / {name} placeholders as its source string."""
    placeholder = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")
    wrong = []
    for entry in po_entries:
        expected = set(placeholder.findall(entry.msgid + (entry.msgid_plural or "")))
        for translated in entry.msgstr.values():
            found = set(placeholder.findall(translated))
            # A plural form may leave out the number ("one file"), but never invent a placeholder.
            ok = found <= expected if entry.msgid_plural is not None else found == expected
            if not ok:
                wrong.append(f"{describe(entry)} -> {translated!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_compiled_catalogue_matches_the_po_file(po_entries):
    """The committed .mo says what the .po says: every entry is translated that way at runtime.

    (Comparing modification times would be meaningless in a fresh git clone.)"""
    stale = []
    with translation.override("en"):
        for entry in po_entries:
            if entry.msgid_plural is not None:
                got = {
                    0: translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                    if entry.msgctxt is not None
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 1),
                    1: translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                    if entry.msgctxt is not None
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 2),
                }
                want = {index: entry.msgstr[index] for index in (0, 1)}
            elif entry.msgctxt is not None:
                got, want = translation.pgettext(entry.msgctxt, entry.msgid), entry.msgstr[0]
            else:
                got, want = translation.gettext(entry.msgid), entry.msgstr[0]
            if got != want:
                stale.append(f"{describe(entry)}: runtime gives {got!r}, .po says {want!r}")
    assert not stale, "django.mo is out of date; run compilemessages:\n" + "\n".join(stale)


@pytest.mark.gettext
def test_catalogue_has_every_string_of_the_source(tmp_path, settings, monkeypatch, po_entries):
    """Re-extract the strings from a copy of the source: no string may be missing from the .po
    (a new string nobody translated) nor be left there after its source was removed."""
    skip = {*MAKEMESSAGES_IGNORE, ".git", "__pycache__", "*.pyc", "*.egg-info", ".*_cache", ".hypothesis"}
    copy = tmp_path / "src"
    shutil.copytree(BASE_DIR, copy, ignore=shutil.ignore_patterns(*skip))
    settings.LOCALE_PATHS = [copy / "aduan" / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0)

    extracted = {e.key for e in parse_po(copy / PO_PATH.relative_to(BASE_DIR)) if e.msgid}
    committed = {e.key for e in po_entries}
    missing, removed = extracted - committed, committed - extracted
    assert not missing, f"strings missing from django.po (run makemessages): {sorted(missing, key=str)}"
    assert not removed, f"strings no longer in the source (run makemessages): {sorted(removed, key=str)}"


# --- translations in use ----------------------------------------------------------------------


def test_model_labels_follow_the_active_language():
    with translation.override("en"):
        assert str(Status.SUBMITTED.label) == "Received, not yet verified"
        assert str(Status.FORWARDED_OUT.label) == "Outside our authority, forwarded"
        assert str(ActorRole.CITIZEN.label) == "Reporter"
        assert str(Action.DISPATCH.label) == "Verify and dispatch"
        assert str(Stage.FOLLOW_UP.label) == "First follow-up by the agency"
    with translation.override("id"):
        assert str(Status.SUBMITTED.label) == "Diterima, belum terverifikasi"
        assert str(Status.FORWARDED_OUT.label) == "Bukan kewenangan, diteruskan"
        assert str(ActorRole.CITIZEN.label) == "Pelapor"
        assert str(Action.DISPATCH.label) == "Verifikasi dan disposisikan"
        assert str(Stage.FOLLOW_UP.label) == "Tindak lanjut pertama OPD"


def test_model_verbose_names_follow_the_active_language():
    from aduan.complaints.models import Complaint

    with translation.override("en"):
        assert str(Complaint._meta.get_field("ticket_number").verbose_name) == "ticket number"
    with translation.override("id"):
        assert str(Complaint._meta.get_field("ticket_number").verbose_name) == "nomor tiket"


@pytest.mark.parametrize(
    ("error", "english", "indonesian"),
    [
        (DomainError, "The request cannot be processed.", "Permintaan tidak dapat diproses."),
        (NotFound, "Not found.", "Data tidak ditemukan."),
        (PermissionDenied, "You are not allowed to do this.", "Anda tidak berwenang melakukan tindakan ini."),
        (InvalidInput, "The submitted data is not valid.", "Data yang dikirim tidak valid."),
        (
            TransitionNotAllowed,
            "This action is not possible in the complaint's current status.",
            "Tindakan ini tidak dapat dilakukan pada status aduan saat ini.",
        ),
        (
            ReopenWindowClosed,
            "The deadline for reopening this complaint has passed.",
            "Batas waktu untuk membuka kembali aduan ini sudah lewat.",
        ),
    ],
)
def test_domain_error_default_messages_follow_the_active_language(error, english, indonesian):
    raised = error()  # created once; the lazy message is rendered in the language active when shown
    with translation.override("en"):
        assert str(raised) == english
    with translation.override("id"):
        assert str(raised) == indonesian


def test_workflow_error_message_follows_the_active_language():
    # An unknown action is refused before the complaint or the actor is looked at.
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(complaint_id=0, action="no-such-action", actor=None)
    assert refused.value.code == "unknown_action"
    with translation.override("en"):
        assert str(refused.value) == "Unknown action."
    with translation.override("id"):
        assert str(refused.value) == "Tindakan tidak dikenal."


def test_home_page_in_english_when_the_browser_asks_for_it(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Submit a public service complaint</h1>" in html
    assert "Sampaikan aduan pelayanan publik" not in html


def test_home_page_in_indonesian_when_the_browser_asks_for_it(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "<h1>Sampaikan aduan pelayanan publik</h1>" in html
    assert "Submit a public service complaint" not in html
