"""Onboarding a Pemda from one file: the Pemda, its OPDs, its categories with their default OPD,
and its staff with their roles (``manage.py pemda_onboard FILE``, or one sheet at a time in the
admin's *Impor*). Samples: ``docs/samples/pemda_samarinda.xlsx`` and ``pemda_samarinda.csv``.

An XLSX has one sheet per kind (other sheets, e.g. notes, are ignored); a CSV has the same
columns in one table whose first column, *Lembar*, names each row's sheet. Headers are matched
without case, in Indonesian or English; *Ya*/*Tidak* columns also take Yes/No, 1/0.

=========  ===================================================================================
sheet      columns (* required)
=========  ===================================================================================
Pemda      Kode* (ticket prefix, e.g. SMR), Nama*, Jenis* (kota, kabupaten, provinsi),
           Provinsi* (its name), Kode provinsi (needed only to create the province, e.g. KT),
           Zona waktu* (WIB, WITA, WIT or an IANA name such as Asia/Makassar), Lintang peta and
           Bujur peta (where the maps open; both or neither; blank keeps the centre), Perbesaran
           peta (3-18; blank keeps the Pemda's, 12 for a new one). Exactly one row.
OPD        Nama*, Singkatan, Nama Inggris, Aktif (default Ya)
Kategori   Nama*, Induk (a top-level category of the file or the Pemda), Nama Inggris,
           OPD utama (an OPD's name or short name; in a CSV the column *OPD*),
           Wajib foto selesai (default Tidak), Aktif (default Ya)
Staf       Email*, Nama lengkap*, Peran* (koordinator, petugas_opd, kepala_opd, petugas_loket;
           the role's label works too), OPD (required for petugas and kepala OPD, empty for
           koordinator and petugas loket), Aktif (the role; default Ya)
=========  ===================================================================================

The whole file is checked first (``checks.book_check``): every problem is listed with its sheet,
row, column and reason, and then nothing at all is written. A good file is written in one
transaction (``apply.onboard_apply``). See checks.py for how existing rows are matched, so that
the same file twice changes nothing and an edited name updates the row.
"""

from pathlib import Path

from .apply import CREATED, UNCHANGED, UPDATED, Change, Outcome, onboard_apply
from .checks import OnboardingInvalid, Plan, Problem, book_check
from .sheets import SHEETS, OnboardingFileInvalid, read_book

__all__ = [
    "CREATED",
    "SHEETS",
    "UNCHANGED",
    "UPDATED",
    "Change",
    "OnboardingFileInvalid",
    "OnboardingInvalid",
    "Outcome",
    "Plan",
    "Problem",
    "book_check",
    "onboard_apply",
    "onboard_file",
    "read_book",
]


def onboard_file(path: Path | str, *, dry_run: bool = False, now=None, on_progress=None) -> Outcome:
    """Read, check and write one onboarding file (raises OnboardingFileInvalid or OnboardingInvalid)."""
    path = Path(path)
    plan = book_check(read_book(path.read_bytes(), filename=path.name))
    return onboard_apply(plan, dry_run=dry_run, now=now, on_progress=on_progress)
