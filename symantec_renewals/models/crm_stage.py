from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.constants import RENEWAL_STATUSES
from ..tools.security import check_workflow_create, check_workflow_write

# Which stage shows which renewal status is the module's (SPEC §10); so
# are, on a renewal stage, what CRM derives from a stage (won, its teams).
STAGE_WORKFLOW_FIELDS = frozenset({"renewal_status"})
RENEWAL_STAGE_WORKFLOW_FIELDS = frozenset({"is_won", "team_ids"})


class CrmStage(models.Model):
    _inherit = "crm.stage"

    renewal_status = fields.Selection(
        RENEWAL_STATUSES,
        string="Renewal Status",
        copy=False,
        index="btree_not_null",
        help="The stage of the renewal pipeline showing renewals of this "
        "status. Renewal opportunities move through these stages only, and "
        "other opportunities never enter them.",
    )

    _renewal_status_unique = models.UniqueIndex(
        "(renewal_status) WHERE renewal_status IS NOT NULL",
        "There is one renewal stage per renewal status.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_create(self, vals_list, STAGE_WORKFLOW_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_write(self, vals, STAGE_WORKFLOW_FIELDS)
        renewal_stages = self.filtered("renewal_status")
        if renewal_stages:
            check_workflow_write(renewal_stages, vals, RENEWAL_STAGE_WORKFLOW_FIELDS)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_renewal_stage(self):
        renewal_stages = self.filtered("renewal_status")
        if renewal_stages and not self.env.su:
            raise UserError(
                self.env._(
                    "%(stages)s belong to the renewal pipeline: renewals move "
                    "through them by themselves. Rename or fold them instead.",
                    stages=", ".join(renewal_stages.mapped("name")),
                )
            )

    @api.model
    def _renewal_stages(self):
        """The renewal pipeline's stages, by renewal status."""
        stages = self.sudo().search([("renewal_status", "!=", False)])
        return {stage.renewal_status: stage.with_env(self.env) for stage in stages}
