"""The arithmetic of the renewal policy (SPEC §3, §5, §6), kept free of the ORM
so that each rule reads next to the policy and is tested alone."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

DEFAULT_REMINDER_OFFSETS = (-120, -90, -60, -30, -7, 0, 7, 30)


def term_months(date_start, date_end):
    """Length in whole months of a term whose both dates are inclusive:
    1 Jan - 31 Dec is 12 months."""
    if not date_start or not date_end:
        return 0
    delta = relativedelta(date_end + timedelta(days=1), date_start)
    return delta.years * 12 + delta.months


def parse_offsets(text):
    """Reminder offsets from their comma-separated text, sorted.

    Raises ValueError on anything that is not a whole number."""
    offsets = set()
    for part in (text or "").split(","):
        if part.strip():
            offsets.add(int(part))
    return tuple(sorted(offsets))


def format_offsets(offsets):
    return ", ".join(str(offset) for offset in sorted(offsets))
