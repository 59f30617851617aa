from odoo import api, models


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    @api.model
    def _renewal_none_for(self, companies):
        """Whether no distribution model can apply to records of
        ``companies``: the renewal run then skips a lookup per line."""
        return not self.sudo().search_count(
            [("company_id", "in", [*companies.ids, False])], limit=1
        )

    @api.model
    def _get_distribution(self, vals):
        """With ``renewal_no_distribution_model`` in the context (set only
        where ``_renewal_none_for`` holds), there is no model to find."""
        if self.env.context.get("renewal_no_distribution_model"):
            return {}
        return super()._get_distribution(vals)
