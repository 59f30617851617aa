from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import policy

# The company's renewal policy: the numbers, then the reminder offsets.
NUMERIC_POLICY_FIELDS = (
    "renewal_notice_days",
    "renewal_grace_days",
    "late_uplift_percent",
    "reinstatement_fee_percent",
    "reinstatement_fee_min",
    "max_reinstatement_days",
    "auto_renew_lead_days",
)
RENEWAL_POLICY_FIELDS = (
    *NUMERIC_POLICY_FIELDS,
    "renewal_reminder_offsets",
    "auto_renew_retry_days",
)
# Ranges of SPEC §10; day counts without one there are kept to ten years.
MAX_NOTICE_DAYS = 730
MAX_POLICY_DAYS = 3650
MIN_REMINDER_OFFSET = -365


class ResCompany(models.Model):
    _inherit = "res.company"

    renewal_notice_days = fields.Integer(
        string="Renewal Notice (days)",
        default=120,
        help="Renewals are prepared this many days before a contract ends.",
    )
    renewal_reminder_offsets = fields.Char(
        string="Reminder Offsets (days)",
        default=policy.format_offsets(policy.DEFAULT_REMINDER_OFFSETS),
        help="Days relative to the end date at which reminders go out, comma "
        "separated: negative before the end, positive after.",
    )
    renewal_grace_days = fields.Integer(
        string="Grace Period (days)",
        default=0,
        help="Days after the end date during which a renewal is late but not "
        "yet a reinstatement.",
    )
    late_uplift_percent = fields.Float(
        string="Late Renewal Surcharge %", default=10.0, digits=(5, 2)
    )
    reinstatement_fee_percent = fields.Float(
        string="Reinstatement Fee %", default=20.0, digits=(5, 2)
    )
    reinstatement_fee_min = fields.Monetary(
        string="Minimum Reinstatement Fee",
        default=100.0,
        currency_field="currency_id",
    )
    max_reinstatement_days = fields.Integer(
        string="Reinstatement Limit (days)",
        default=365,
        help="Past this many days after the end date, maintenance can no longer "
        "be reinstated: a new licence must be bought.",
    )
    auto_renew_lead_days = fields.Integer(
        string="Auto-renewal Lead (days)",
        default=7,
        help="Automatic renewals are ordered this many days before the end date.",
    )

    auto_renew_retry_days = fields.Char(
        string="Payment Retries (days)",
        default=policy.format_offsets(policy.DEFAULT_RETRY_DAYS),
        help="When the card charge of an automatic renewal fails, it is tried "
        "again this many days after the failure, comma separated; the "
        "customer is e-mailed at each failure.",
    )

    def auto_renew_retry_day_list(self):
        self.ensure_one()
        try:
            return policy.parse_offsets(self.auto_renew_retry_days)
        except ValueError:
            return policy.DEFAULT_RETRY_DAYS

    @api.model
    def _retry_days_errors(self, text):
        """The translated message of a wrong list of payment retry days."""
        try:
            days = policy.parse_offsets(text)
        except ValueError:
            days = None
        if days is None or any(not 1 <= day <= policy.MAX_RETRY_DAY for day in days):
            return [
                self.env._(
                    "Payment retries are days after a failed charge, between 1 "
                    "and %(max)s, separated by commas, such as %(example)s.",
                    max=policy.MAX_RETRY_DAY,
                    example=policy.format_offsets(policy.DEFAULT_RETRY_DAYS),
                )
            ]
        return []

    def renewal_reminder_offset_list(self):
        self.ensure_one()
        return policy.parse_offsets(self.renewal_reminder_offsets)

    def _check_renewal_policy_company(self):
        """A renewal policy is changed only by users of its company (also
        in constraints, which run in superuser mode as the same user)."""
        if self - self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You can only change the renewal policy of the companies you "
                    "belong to."
                )
            )

    def _renewal_notice_limit(self, today):
        """The last end date the renewal run handles today, or None when the
        company's notice cannot be used (the run then skips the company
        rather than failing for every company)."""
        self.ensure_one()
        try:
            return today + timedelta(days=self.renewal_notice_days)
        except (OverflowError, ValueError):
            return None

    def _renewal_team(self, region):
        """The company's renewal team of ``region``, made if it has none (a
        company of its own gets its own regional teams, never another's)."""
        self.ensure_one()
        Team = self.env["crm.team"].sudo()
        team = Team.search(
            [("renewal_region", "=", region), ("company_id", "=", self.id)],
            order="sequence, id",
            limit=1,
        )
        if team:
            return team.with_env(self.env)
        label = dict(self.env["crm.team"]._fields["renewal_region"].selection)[region]
        team = Team.create(
            {
                "name": self.env._(
                    "Renewals %(region)s (%(company)s)",
                    region=label,
                    company=self.name,
                ),
                "renewal_region": region,
                "company_id": self.id,
                "use_leads": False,
                "use_opportunities": True,
            }
        )
        return team.with_env(self.env)

    # ------------------------------------------------------------------
    # Validation (SPEC §10): every value of the policy, with its range
    # ------------------------------------------------------------------

    @api.model
    def _renewal_policy_errors(self, values):
        """The translated messages of the policy values out of range in
        ``values`` (a dict of policy field names to values; those missing
        are not checked). Checked before writing as well as in the
        constraints, so that an integer too large for the database gets the
        same message, not a database error."""
        errors = []
        if "auto_renew_retry_days" in values:
            errors += self._retry_days_errors(values["auto_renew_retry_days"])
        ranges = {
            "renewal_notice_days": (1, MAX_NOTICE_DAYS),
            "renewal_grace_days": (0, MAX_POLICY_DAYS),
            "max_reinstatement_days": (0, MAX_POLICY_DAYS),
            "auto_renew_lead_days": (0, MAX_NOTICE_DAYS),
            "late_uplift_percent": (0, 100),
            "reinstatement_fee_percent": (0, 100),
        }
        for name, (low, high) in ranges.items():
            if name in values and not low <= (values[name] or 0) <= high:
                errors.append(
                    self.env._(
                        "%(field)s must be between %(low)s and %(high)s "
                        "(it is %(value)s).",
                        field=self._fields[name]._description_string(self.env),
                        low=low,
                        high=high,
                        value=values[name],
                    )
                )
        fee_min = values.get("reinstatement_fee_min") or 0
        if fee_min < 0:
            errors.append(
                self.env._("The minimum reinstatement fee cannot be negative.")
            )
        if "renewal_reminder_offsets" in values:
            try:
                offsets = policy.parse_offsets(values["renewal_reminder_offsets"])
            except ValueError:
                errors.append(
                    self.env._(
                        "Reminder offsets are whole numbers of days separated by "
                        "commas, such as %(example)s.",
                        example=policy.format_offsets(policy.DEFAULT_REMINDER_OFFSETS),
                    )
                )
            else:
                limit = values.get("max_reinstatement_days")
                if not isinstance(limit, int) or not 0 <= limit <= MAX_POLICY_DAYS:
                    limit = MAX_POLICY_DAYS
                wrong = [o for o in offsets if not MIN_REMINDER_OFFSET <= o <= limit]
                if wrong:
                    errors.append(
                        self.env._(
                            "Reminder offsets must lie between %(low)s days before "
                            "the end date and the reinstatement limit of %(high)s "
                            "days after it: %(wrong)s is outside.",
                            low=-MIN_REMINDER_OFFSET,
                            high=limit,
                            wrong=policy.format_offsets(wrong),
                        )
                    )
        grace = values.get("renewal_grace_days")
        limit = values.get("max_reinstatement_days")
        if isinstance(grace, int) and isinstance(limit, int) and limit < grace:
            errors.append(
                self.env._(
                    "The reinstatement limit (%(limit)s days) cannot be shorter "
                    "than the grace period (%(grace)s days).",
                    limit=limit,
                    grace=grace,
                )
            )
        return errors

    @api.model
    def _check_renewal_policy_values(self, values):
        errors = self._renewal_policy_errors(values)
        if errors:
            raise ValidationError("\n".join(errors))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_renewal_policy_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        # Each value alone, before the database sees it; the combinations
        # are checked by the constraint below.
        self._check_renewal_policy_values(
            {
                name: value
                for name, value in vals.items()
                if name in RENEWAL_POLICY_FIELDS
                and name not in ("renewal_reminder_offsets",)
            }
        )
        return super().write(vals)

    @api.constrains(*RENEWAL_POLICY_FIELDS)
    def _check_renewal_policy(self):
        for company in self:
            company._check_renewal_policy_values(
                {name: company[name] for name in RENEWAL_POLICY_FIELDS}
            )
