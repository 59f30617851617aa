from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _post_process(self):
        """The provider answered a charge of an automatic renewal (at once,
        or later through its notification): the contract records it."""
        result = super()._post_process()
        contracts = (
            self.env["symantec.contract"]
            .sudo()
            .search(
                [
                    ("renewal_payment_tx_id", "in", self.ids),
                    ("renewal_payment_state", "=", "charging"),
                ]
            )
        )
        contracts._renewal_charge_answered()
        return result
