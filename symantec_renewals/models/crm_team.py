from odoo import fields, models

from .symantec_contract import REGIONS


class CrmTeam(models.Model):
    _inherit = "crm.team"

    renewal_region = fields.Selection(
        REGIONS,
        string="Renewal Region",
        index=True,
        help="The region whose maintenance renewals this team works; contracts of "
        "the region default to the company's team of that region.",
    )
