from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_renewal_run import END, RenewalRunCommon

# Queries one more due contract costs the daily run (opportunity, quote or
# notification, reminder activity and e-mail, through Odoo's mail composer).
# Lower it as the run gets leaner; an N+1 pattern coming back makes this
# test fail.
QUERIES_PER_CONTRACT = 10


@tagged("post_install", "-at_install")
class TestRenewalRunQueries(RenewalRunCommon):
    def due_contracts(self, count):
        return self.Contract.concat(
            *(
                self.active_contract(
                    customer_segment="enterprise" if i % 2 else "small_business"
                )
                for i in range(count)
            )
        )

    def queries_of_run(self, contracts, day):
        others = self.Contract.search([("id", "not in", contracts.ids)])
        others.write({"renewal_checked_date": day})
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(day), self.no_commit():
            self.Contract._cron_renewal_run()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_each_due_contract_costs_a_bounded_number_of_queries(self):
        day = END - timedelta(days=100)
        self.queries_of_run(self.due_contracts(2), day)  # warm the caches
        small = self.queries_of_run(self.due_contracts(4), day)
        large = self.queries_of_run(self.due_contracts(12), day)
        per_contract = (large - small) / 8
        self.assertLessEqual(
            per_contract,
            QUERIES_PER_CONTRACT,
            f"{per_contract:.1f} queries per due contract "
            f"({small} for 4, {large} for 12)",
        )

    def test_a_run_with_nothing_to_do_costs_a_handful_of_queries(self):
        day = END - timedelta(days=100)
        contracts = self.due_contracts(6)
        self.queries_of_run(contracts, day)
        with self.assertQueryCount(12), freeze_time(day), self.no_commit():
            self.Contract._cron_renewal_run()
