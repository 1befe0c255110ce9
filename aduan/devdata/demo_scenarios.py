"""The demo's scenarios: the moves each demo complaint goes through, the days each move takes,
the OPD's progress notes and the photo of its "selesai ditangani" (the complaints themselves are in
``demo_complaints``)."""

import io

from PIL import Image, ImageDraw

# What each scenario does, step by step; the resulting status is in the comment.
SCENARIOS = {
    "new": [],  # submitted
    "completed": ["hold", "complete"],  # submitted again, now complete
    "hold": ["hold"],  # on_hold
    "dispatch": ["dispatch"],  # dispatched
    "redispatch": ["dispatch_first", "request_redispatch", "redispatch"],  # dispatched, second hop
    "replied": ["dispatch", "follow_up", "reply"],  # dispatched again after the reporter's reply
    "followed": ["dispatch", "follow_up"],  # followed_up, reply window open
    "accepted": ["dispatch", "follow_up", "accept"],  # resolved by the reporter
    "auto": ["dispatch", "follow_up", "auto_resolve"],  # resolved when the reply window passed
    "reopened": ["dispatch", "follow_up", "accept", "reopen", "follow_up_2", "accept"],  # resolved
    "archive": ["archive"],  # archived
    "no_response": ["hold", "archive_no_response"],  # archived: reporter never completed it
    "duplicate": ["archive_duplicate"],  # archived as a duplicate
    "forward": ["forward_out"],  # forwarded_out
    "dispatch_forward": ["dispatch", "forward_out"],  # forwarded_out after the OPD said so
    # The OPD's field work (dispatched: progress updates; the planned date is a week ahead)
    "scheduled": ["dispatch", "acknowledge", "schedule"],  # dispatched, promise clock open
    "in_progress": ["dispatch", "schedule", "start_work"],  # dispatched, work under way
    "cannot": ["dispatch", "cannot_handle"],  # dispatched, the koordinator must decide
    "done_kept": ["dispatch", "schedule", "follow_up", "accept"],  # resolved, promise kept
}
OPEN_SCENARIOS = {"new", "completed", "hold", "dispatch", "redispatch", "replied", "followed"}
OPEN_SCENARIOS |= {"scheduled", "in_progress", "cannot"}

# Days each step takes after the previous one (uniform between the bounds).
STEP_DAYS = {
    "dispatch": (0.1, 2.5),
    "dispatch_first": (0.1, 2.0),
    "request_redispatch": (0.2, 2.0),
    "redispatch": (0.1, 1.0),
    "hold": (0.1, 1.5),
    "complete": (0.5, 4.0),
    "follow_up": (1.0, 6.0),
    "follow_up_2": (1.0, 5.0),
    "reply": (0.5, 5.0),
    "accept": (0.3, 6.0),
    "auto_resolve": (14.2, 15.0),
    "reopen": (1.0, 10.0),
    "archive": (0.1, 2.0),
    "archive_no_response": (10.0, 14.0),
    "archive_duplicate": (0.1, 1.0),
    "forward_out": (0.2, 3.0),
    "acknowledge": (0.1, 1.5),
    "schedule": (0.2, 2.0),
    "start_work": (0.5, 3.0),
    "cannot_handle": (0.5, 3.0),
}
# The notes of the field-work steps (Indonesian: the OPD's own words in the demo).
PROGRESS_NOTES = {
    "acknowledge": "Aduan sudah kami terima dan sedang ditinjau oleh tim lapangan.",
    "schedule": "Tim sudah meninjau lokasi; perbaikan dijadwalkan pada tanggal rencana.",
    "start_work": "Tim sedang bekerja di lokasi.",
    "cannot_handle": "Lokasi berada di luar kewenangan OPD ini; mohon koordinator menentukan langkah.",
}
PLANNED_IN_DAYS = 7

# Scenarios whose "selesai ditangani" carries the OPD's photo (shown to the reporter and on the
# public page /publik/<ticket>/).
DONE_PHOTO_SCENARIOS = {"done_kept"}


def done_photo() -> io.BytesIO:
    """A small JPEG standing for the OPD's photo of the finished work (drawn, not downloaded)."""
    img = Image.new("RGB", (640, 480), (120, 150, 170))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 300, 640, 480), fill=(60, 60, 64))  # the road
    draw.rectangle((250, 360, 420, 400), fill=(25, 25, 28))  # the new patch of asphalt
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=80)
    buffer.seek(0)
    buffer.name = "foto-selesai-ditangani.jpg"
    return buffer
