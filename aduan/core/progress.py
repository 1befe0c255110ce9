"""Progress of long management commands: a bar (tqdm) on a terminal, and a plain line at each
tenth of the total when the output goes to a file or a log (cron, systemd), so a run at national
size is never silent for minutes and a log never fills with carriage returns."""

from tqdm import tqdm


class Progress:
    def __init__(self, stream, *, total: int, label: str, unit: str):
        """``stream`` is a command's ``self.stdout`` (Django's OutputWrapper) or any text stream."""
        self.stream, self.total, self.label, self.unit = stream, total, label, unit
        self.done, self.next_line = 0, 1
        is_tty = getattr(stream, "isatty", lambda: False)()
        self.bar = (
            tqdm(total=total, desc=label, unit=unit, file=getattr(stream, "_out", stream))
            if is_tty and total
            else None
        )

    def update(self, done: int) -> None:
        """``done`` items so far (a running total)."""
        if self.bar is not None:
            self.bar.update(done - self.done)
        elif self.total:
            while self.next_line <= 10 and done * 10 >= self.total * self.next_line:
                self.stream.write(f"{self.label}: {done}/{self.total} {self.unit} ({self.next_line * 10}%)")
                self.next_line += 1
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
