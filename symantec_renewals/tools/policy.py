"""The arithmetic of the renewal policy (SPEC §3, §5, §6, §12), kept free of the ORM
so that each rule reads next to the policy and is tested alone."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

DEFAULT_REMINDER_OFFSETS = (-120, -90, -60, -30, -7, 0, 7, 30)
# A renewal quote is made for 1, 2 or 3 years (SPEC §12).
MAX_RENEWAL_YEARS = 3


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


DEFAULT_RETRY_DAYS = (1, 3, 7)
MAX_RETRY_DAY = 365


def retry_date(first_failure, retry_days, attempts):
    """The day of the next charge of a renewal invoice after ``attempts``
    charges, the first of which failed on ``first_failure``: the retries
    are ``retry_days`` days after that first failure; None once they are
    all spent."""
    retries_made = max(attempts - 1, 0)
    if retries_made >= len(retry_days):
        return None
    return first_failure + timedelta(days=retry_days[retries_made])


def due_milestone(offsets, date_end, today, last_fired=None):
    """The reminder milestone to fire today, or None.

    A milestone is due once ``date_end + offset`` is reached. Each fires at
    most once: only offsets after ``last_fired`` count. When a missed run
    leaves several due at once, only the most recent fires."""
    due = [
        offset
        for offset in offsets
        if date_end + timedelta(days=offset) <= today
        and (last_fired is None or offset > last_fired)
    ]
    return max(due) if due else None


def late_days(date_end, day):
    """Days from the end date to ``day``: 0 or less is on time."""
    return (day - date_end).days


# The cases of the late-renewal table (SPEC §6), in order.
ON_TIME, LATE, REINSTATEMENT, LAPSED = "on_time", "late", "reinstatement", "lapsed"


def renewal_case(days_late, grace_days, max_reinstatement_days):
    """Which row of the late-renewal table applies after ``days_late``."""
    if days_late <= 0:
        return ON_TIME
    if days_late <= grace_days:
        return LATE
    if days_late <= max_reinstatement_days:
        return REINSTATEMENT
    return LAPSED


def price_change_date(date_end, today, grace_days, max_reinstatement_days):
    """The last day the price of a quote made ``today`` holds: the end date
    for an on-time quote, the end of the grace period, the end of the
    reinstatement window; never before ``today``."""
    case = renewal_case(late_days(date_end, today), grace_days, max_reinstatement_days)
    limit = {
        ON_TIME: date_end,
        LATE: date_end + timedelta(days=grace_days),
        REINSTATEMENT: date_end + timedelta(days=max_reinstatement_days),
    }.get(case, today)
    return max(limit, today)


def successor_dates(date_start, date_end, minimum_months=12):
    """The new term of a renewal: from the day after the old end, for as many
    whole months as the old term (at least ``minimum_months``), inclusive."""
    months = max(term_months(date_start, date_end), minimum_months)
    new_start = date_end + timedelta(days=1)
    new_end = new_start + relativedelta(months=months) - timedelta(days=1)
    return new_start, new_end


def term_end(date_start, months):
    """The last day (inclusive) of a term of ``months`` from ``date_start``."""
    return date_start + relativedelta(months=months) - timedelta(days=1)


def default_renewal_years(months):
    """The renewal a term of ``months`` asks for by default, in whole years
    (1 to 3): as many as the term lasts, at least one."""
    return min(max((months or 0) // 12, 1), MAX_RENEWAL_YEARS)


def renewal_term_months(old_months, years, minimum_months=12):
    """How long a renewal for ``years`` years lasts: years x 12 months. A
    renewal for the old term's own number of years keeps the old term's
    length (SPEC §6: 18 months renew as 18); never below the minimum."""
    own = years == default_renewal_years(old_months)
    return max(old_months if own else years * 12, minimum_months)


def multi_year_discounted(price, years, discount_percent):
    """``price`` less the tier's multi-year discount, for a renewal made for
    two years or more."""
    if years < 2:
        return price
    return price * (1.0 - (discount_percent or 0.0) / 100.0)


def multi_year_price(yearly_renewed_price, years, discount_percent):
    """The price of a renewal for ``years`` years: the yearly renewed price
    times the years, less the multi-year discount from two years on."""
    return multi_year_discounted(yearly_renewed_price * years, years, discount_percent)


def term_days(date_start, date_end):
    """Days of a term whose both dates are inclusive."""
    return (date_end - date_start).days + 1


def prorated_price(yearly_price, date_start, date_end):
    """A yearly price for the days of a term: term days / 365 x the price."""
    return yearly_price * term_days(date_start, date_end) / 365.0


def default_coterm_date(normal_end_dates):
    """The common end of renewals made together: the latest of the dates
    each would end on when renewed alone."""
    return max(normal_end_dates)


def coterm_dates(date_end, coterm_date):
    """The new term of a contract ending on ``date_end`` renewed to end on
    ``coterm_date``: from the day after its end to that date."""
    return date_end + timedelta(days=1), coterm_date


def coterm_term_long_enough(date_end, coterm_date, minimum_months=12):
    """Whether the co-terminated new term lasts at least ``minimum_months``."""
    return term_months(*coterm_dates(date_end, coterm_date)) >= minimum_months


def coterm_term_within_limit(
    date_end, coterm_date, maximum_months=MAX_RENEWAL_YEARS * 12
):
    """Whether the co-terminated new term lasts no more than ``maximum_months``
    (no maintenance term is sold for longer than the longest multi-year one)."""
    return term_months(*coterm_dates(date_end, coterm_date)) <= maximum_months


def earliest_coterm_date(date_ends, minimum_months=12):
    """The first common end date giving every contract ending on one of
    ``date_ends`` a new term of at least ``minimum_months``."""
    return max(
        term_end(date_end + timedelta(days=1), minimum_months) for date_end in date_ends
    )


def shift_years(day, years):
    """The same day ``years`` later (earlier when negative); 29 February
    falls on 28 February in a common year."""
    return day + relativedelta(years=years)


def standard_renewal_price(yearly_unit_price, uplift_percent, months):
    """Renewed unit price of a term: this term's yearly price with the
    renewal uplift, for the new term's length."""
    return renewed_yearly_price(yearly_unit_price, uplift_percent) * months / 12.0


def late_surcharge(standard_price, late_uplift_percent):
    """The late-renewal surcharge: a percentage of the standard renewal price."""
    return standard_price * (late_uplift_percent or 0.0) / 100.0


def reinstatement_fee(standard_price, fee_percent, fee_minimum):
    """The reinstatement fee: a percentage of the standard renewal price, at
    least the minimum (both in the quote's currency)."""
    return max(standard_price * (fee_percent or 0.0) / 100.0, fee_minimum or 0.0)


def renewed_yearly_price(yearly_unit_price, uplift_percent):
    """The yearly unit price a renewed term carries: the renewal uplift on
    this term's, so that uplifts compound term after term."""
    return yearly_unit_price * (1 + (uplift_percent or 0.0) / 100.0)


ACTIVATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def activation_code(randbelow, groups=4, size=4):
    """A code such as ``K7QX-M2PD-9RTA-WC4H`` from an alphabet without
    look-alike characters; ``randbelow`` is ``secrets.randbelow``."""
    return "-".join(
        "".join(
            ACTIVATION_ALPHABET[randbelow(len(ACTIVATION_ALPHABET))]
            for _ in range(size)
        )
        for _ in range(groups)
    )
