from datetime import date

from odoo.tests import BaseCase, tagged

from ..tools import policy


@tagged("post_install", "-at_install")
class TestTermArithmetic(BaseCase):
    def test_calendar_year_is_twelve_months(self):
        self.assertEqual(policy.term_months(date(2026, 1, 1), date(2026, 12, 31)), 12)

    def test_term_across_month_ends_and_leap_day(self):
        self.assertEqual(policy.term_months(date(2024, 3, 1), date(2025, 2, 28)), 12)
        self.assertEqual(policy.term_months(date(2024, 2, 29), date(2025, 2, 28)), 12)
        self.assertEqual(policy.term_months(date(2026, 1, 15), date(2028, 1, 14)), 24)

    def test_one_day_short_is_a_month_short(self):
        self.assertEqual(policy.term_months(date(2026, 1, 1), date(2026, 12, 30)), 11)

    def test_missing_date_is_no_term(self):
        self.assertEqual(policy.term_months(False, date(2026, 12, 31)), 0)


@tagged("post_install", "-at_install")
class TestReminderOffsets(BaseCase):
    def test_offsets_are_parsed_sorted_and_deduplicated(self):
        self.assertEqual(policy.parse_offsets(" 7, -120,0,-7 ,7"), (-120, -7, 0, 7))

    def test_empty_offsets(self):
        self.assertEqual(policy.parse_offsets(""), ())

    def test_garbage_is_refused(self):
        with self.assertRaises(ValueError):
            policy.parse_offsets("-30, soon")

    def test_default_offsets_round_trip(self):
        text = policy.format_offsets(policy.DEFAULT_REMINDER_OFFSETS)
        self.assertEqual(policy.parse_offsets(text), policy.DEFAULT_REMINDER_OFFSETS)
