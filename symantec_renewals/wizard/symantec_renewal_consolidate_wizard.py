from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_date

from ..tools import policy


class SymantecRenewalConsolidateWizard(models.TransientModel):
    """Renew together (SPEC §12): the selected contracts of one customer on
    one reseller quote, their new terms ending on ``coterm_date``."""

    _name = "symantec.renewal.consolidate.wizard"
    _description = "Renew Contracts Together"

    contract_ids = fields.Many2many(
        "symantec.contract",
        "symantec_consolidate_wizard_contract_rel",
        "wizard_id",
        "contract_id",
        string="Contracts",
        required=True,
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_partner_id"
    )
    coterm_date = fields.Date(
        string="Co-termination Date",
        compute="_compute_coterm_date",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="The day every new term ends; by default the latest of the days "
        "the contracts would end on renewed alone.",
    )
    earliest_coterm_date = fields.Date(
        string="Earliest Date",
        compute="_compute_earliest_coterm_date",
        help="The first day on which every new term lasts its minimum.",
    )
    summary = fields.Html(compute="_compute_summary", sanitize=False)

    @api.depends("contract_ids")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.contract_ids.partner_id[:1]

    @api.depends("contract_ids")
    def _compute_coterm_date(self):
        for wizard in self:
            if wizard.contract_ids:
                wizard.coterm_date = wizard.contract_ids._default_coterm_date()

    @api.depends("contract_ids")
    def _compute_earliest_coterm_date(self):
        for wizard in self:
            wizard.earliest_coterm_date = (
                wizard.contract_ids._earliest_coterm_date()
                if wizard.contract_ids
                else False
            )

    @api.depends("contract_ids", "coterm_date")
    def _compute_summary(self):
        for wizard in self:
            rows = Markup()
            for contract in wizard.contract_ids._renew_together_sorted():
                if not wizard.coterm_date:
                    break
                start, end = policy.coterm_dates(contract.date_end, wizard.coterm_date)
                rows += Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s - %s</td><td>%s</td></tr>"
                ) % (
                    contract.name,
                    format_date(self.env, contract.date_end),
                    format_date(self.env, start),
                    format_date(self.env, end),
                    max(policy.term_days(start, end), 0),
                )
            wizard.summary = Markup(
                '<table class="table table-sm o_coterm_summary"><thead><tr>'
                "<th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                "</tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Contract"),
                self.env._("Ends"),
                self.env._("New term"),
                self.env._("Days"),
                rows,
            )

    def action_renew_together(self):
        """Make the quote and open it."""
        self.ensure_one()
        order = self.contract_ids._renew_together(self.coterm_date)
        return self.contract_ids._form_action(order)
