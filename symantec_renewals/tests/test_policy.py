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


@tagged("post_install", "-at_install")
class TestMultiYearArithmetic(BaseCase):
    def test_a_term_asks_for_as_many_years_as_it_lasts(self):
        self.assertEqual(policy.default_renewal_years(12), 1)
        self.assertEqual(policy.default_renewal_years(24), 2)
        self.assertEqual(policy.default_renewal_years(36), 3)

    def test_default_years_stay_between_one_and_three(self):
        self.assertEqual(policy.default_renewal_years(0), 1)
        self.assertEqual(policy.default_renewal_years(60), 3)

    def test_a_multi_year_renewal_lasts_years_times_twelve_months(self):
        self.assertEqual(policy.renewal_term_months(12, 2), 24)
        self.assertEqual(policy.renewal_term_months(12, 3), 36)
        self.assertEqual(policy.renewal_term_months(36, 1), 12)

    def test_the_old_terms_own_years_keep_its_length(self):
        self.assertEqual(policy.renewal_term_months(18, 1), 18)
        self.assertEqual(policy.renewal_term_months(24, 2), 24)

    def test_renewal_term_never_below_the_minimum(self):
        self.assertEqual(policy.renewal_term_months(12, 1, minimum_months=24), 24)

    def test_one_year_has_no_multi_year_discount(self):
        self.assertAlmostEqual(policy.multi_year_price(1000.0, 1, 10.0), 1000.0)

    def test_two_and_three_years_get_the_discount(self):
        self.assertAlmostEqual(policy.multi_year_price(1000.0, 2, 10.0), 1800.0)
        self.assertAlmostEqual(policy.multi_year_price(1000.0, 3, 10.0), 2700.0)

    def test_no_discount_set_is_years_times_the_price(self):
        self.assertAlmostEqual(policy.multi_year_price(1000.0, 3, 0.0), 3000.0)

    def test_multi_year_discount_spares_one_year_prices(self):
        self.assertAlmostEqual(policy.multi_year_discounted(500.0, 1, 10.0), 500.0)
        self.assertAlmostEqual(policy.multi_year_discounted(500.0, 2, 10.0), 450.0)

    def test_term_end_across_a_leap_day(self):
        self.assertEqual(policy.term_end(date(2027, 3, 1), 24), date(2029, 2, 28))
        self.assertEqual(policy.term_end(date(2028, 1, 1), 12), date(2028, 12, 31))


@tagged("post_install", "-at_install")
class TestCotermArithmetic(BaseCase):
    def test_term_days_count_both_ends(self):
        self.assertEqual(policy.term_days(date(2027, 1, 1), date(2027, 12, 31)), 365)
        self.assertEqual(policy.term_days(date(2028, 1, 1), date(2028, 12, 31)), 366)

    def test_proration_is_term_days_over_365(self):
        self.assertAlmostEqual(
            policy.prorated_price(365.0, date(2027, 4, 1), date(2028, 3, 31)), 366.0
        )
        self.assertAlmostEqual(
            policy.prorated_price(1000.0, date(2027, 1, 1), date(2027, 12, 31)), 1000.0
        )

    def test_a_longer_term_costs_more_by_day(self):
        self.assertAlmostEqual(
            policy.prorated_price(730.0, date(2027, 1, 1), date(2028, 6, 30)),
            730.0 * 547 / 365,
        )

    def test_default_coterm_date_is_the_latest_normal_end(self):
        ends = [date(2027, 12, 31), date(2028, 3, 31), date(2027, 6, 30)]
        self.assertEqual(policy.default_coterm_date(ends), date(2028, 3, 31))

    def test_coterm_term_starts_the_day_after_the_old_end(self):
        self.assertEqual(
            policy.coterm_dates(date(2026, 6, 30), date(2028, 3, 31)),
            (date(2026, 7, 1), date(2028, 3, 31)),
        )

    def test_coterm_term_of_twelve_months_is_long_enough(self):
        self.assertTrue(
            policy.coterm_term_long_enough(date(2026, 12, 31), date(2027, 12, 31))
        )

    def test_coterm_term_a_day_short_is_refused(self):
        self.assertFalse(
            policy.coterm_term_long_enough(date(2026, 12, 31), date(2027, 12, 30))
        )

    def test_coterm_term_of_thirty_six_months_is_within_the_limit(self):
        self.assertTrue(
            policy.coterm_term_within_limit(date(2026, 12, 31), date(2029, 12, 31))
        )

    def test_coterm_term_a_month_over_three_years_is_refused(self):
        self.assertFalse(
            policy.coterm_term_within_limit(date(2026, 12, 31), date(2030, 1, 31))
        )

    def test_earliest_coterm_date_gives_each_term_twelve_months(self):
        ends = [date(2026, 3, 31), date(2026, 9, 30)]
        self.assertEqual(policy.earliest_coterm_date(ends), date(2027, 9, 30))

    def test_shift_years_keeps_the_day(self):
        self.assertEqual(policy.shift_years(date(2027, 3, 31), 1), date(2028, 3, 31))
        self.assertEqual(policy.shift_years(date(2028, 2, 29), 1), date(2029, 2, 28))
        self.assertEqual(policy.shift_years(date(2029, 3, 31), -2), date(2027, 3, 31))
