"""Long commands tell what they do: a bar on a terminal, plain lines (one per tenth) in a log."""

import io

from aduan.core.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_log_gets_one_plain_line_per_tenth_and_never_a_carriage_return():
    log = io.StringIO()
    progress = Progress(log, total=1000, label="verify_audit", unit="riwayat")
    for done in range(0, 1001, 7):
        progress.update(done)
    progress.update(1000)
    progress.close()
    text = log.getvalue()
    assert "\r" not in text
    assert text.count("verify_audit: ") == 10
    assert "verify_audit: 1000/1000 riwayat (100%)" in text
    assert text.index("(10%)") < text.index("(50%)") < text.index("(100%)")


def test_an_empty_run_prints_nothing():
    log = io.StringIO()
    progress = Progress(log, total=0, label="verify_audit", unit="riwayat")
    progress.update(0)
    progress.close()
    assert log.getvalue() == ""


def test_a_terminal_gets_a_bar():
    terminal = Terminal()
    progress = Progress(terminal, total=50, label="verify_audit", unit="riwayat")
    progress.update(50)
    progress.close()
    assert "\r" in terminal.getvalue()
    assert "50/50" in terminal.getvalue()
    assert "(100%)" not in terminal.getvalue()  # no plain lines on a terminal
