from odoo import fields, models


class SymantecFeeWaiverWizard(models.TransientModel):
    _name = "symantec.fee.waiver.wizard"
    _description = "Waive a Reinstatement Fee"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    reason = fields.Text(required=True, help="Logged in the quote's chatter.")

    def action_waive(self):
        self.ensure_one()
        self.order_id._waive_reinstatement_fee(self.reason)
        return {"type": "ir.actions.act_window_close"}
