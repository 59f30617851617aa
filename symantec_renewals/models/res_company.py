from odoo import api, fields, models
from odoo.exceptions import ValidationError

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
RENEWAL_POLICY_FIELDS = (*NUMERIC_POLICY_FIELDS, "renewal_reminder_offsets")


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

    def renewal_reminder_offset_list(self):
        self.ensure_one()
        return policy.parse_offsets(self.renewal_reminder_offsets)

    @api.constrains("renewal_reminder_offsets")
    def _check_renewal_reminder_offsets(self):
        for company in self:
            try:
                policy.parse_offsets(company.renewal_reminder_offsets)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Reminder offsets are whole numbers of days separated by "
                        "commas, such as %(example)s.",
                        example=policy.format_offsets(policy.DEFAULT_REMINDER_OFFSETS),
                    )
                ) from exc

    @api.constrains(*NUMERIC_POLICY_FIELDS)
    def _check_renewal_policy(self):
        for company in self:
            values = [company[name] for name in NUMERIC_POLICY_FIELDS]
            if any(value < 0 for value in values):
                raise ValidationError(
                    self.env._(
                        "The renewal policy's days, percentages and fees cannot "
                        "be negative."
                    )
                )
            if company.max_reinstatement_days < company.renewal_grace_days:
                raise ValidationError(
                    self.env._(
                        "The reinstatement limit (%(limit)s days) cannot be shorter "
                        "than the grace period (%(grace)s days).",
                        limit=company.max_reinstatement_days,
                        grace=company.renewal_grace_days,
                    )
                )
