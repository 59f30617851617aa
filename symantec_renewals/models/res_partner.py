from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.constants import USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_reseller = fields.Boolean(
        string="Is a Reseller",
        tracking=True,
        help="Resells maintenance: can be set as the reseller of contracts and "
        "receives their renewal quotes.",
    )
    symantec_contract_ids = fields.One2many(
        "symantec.contract", "partner_id", string="Maintenance Contracts"
    )
    symantec_contract_count = fields.Integer(
        string="Contract Count",
        compute="_compute_symantec_contract_count",
        groups=USER_GROUP,
    )
    renewal_out_of_compliance = fields.Boolean(
        string="Out of Compliance",
        compute="_compute_renewal_out_of_compliance",
        search="_search_renewal_out_of_compliance",
        groups=USER_GROUP,
        help="Uses a product whose maintenance has expired (grace included).",
    )

    def _contract_domain(self):
        """Contracts of these partners as customers or as resellers, their
        contacts included."""
        commercial = self.commercial_partner_id
        return Domain("partner_id", "child_of", commercial.ids) | Domain(
            "reseller_id", "child_of", commercial.ids
        )

    def _compute_symantec_contract_count(self):
        Contract = self.env["symantec.contract"]
        for partner in self:
            partner.symantec_contract_count = (
                Contract.search_count(partner._contract_domain()) if partner.id else 0
            )

    @api.depends("symantec_contract_ids")
    def _compute_renewal_out_of_compliance(self):
        lapsed = self.env["symantec.contract"].search(
            [
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("compliance_status", "in", ("grace", "non_compliant")),
            ]
        )
        out = lapsed.partner_id.commercial_partner_id
        for partner in self:
            partner.renewal_out_of_compliance = partner.commercial_partner_id in out

    def _search_renewal_out_of_compliance(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        lapsed = self.env["symantec.contract"].search(
            [("compliance_status", "in", ("grace", "non_compliant"))]
        )
        domain = Domain(
            "commercial_partner_id", "in", lapsed.partner_id.commercial_partner_id.ids
        )
        positive = True in value
        return domain if (operator == "in") == positive else ~domain

    def action_view_symantec_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "symantec_renewals.symantec_contract_action"
        )
        action["domain"] = list(self._contract_domain())
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def signup_prepare(self, signup_type="signup"):
        """Only the partners whose signup type changes are written. Odoo
        calls this for the customer of every e-mail it notifies (portal,
        b2c signup), and rewriting the same value locks the partner (and its
        contacts): two workers e-mailing one customer would then conflict,
        one of them rolled back."""
        changing = self.filtered(lambda partner: partner.signup_type != signup_type)
        if changing:
            return super(ResPartner, changing).signup_prepare(signup_type)
        return True
