"""Two renewal e-mails change for the customer's security: the activation
e-mail no longer carries the activation code in the copy kept in the
contract's chatter (which the reseller reads), and the automatic-renewal
e-mail moves from the contract to its order (no invoice link with an access
token in a chatter the reseller reads). The templates are ``noupdate``: let
this update rewrite these two from the module's data."""

TEMPLATES = ("mail_template_renewal_activation", "mail_template_auto_renewal_order")


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET noupdate = FALSE
            WHERE module = 'symantec_renewals' AND model = 'mail.template'
              AND name IN %s""",
        [TEMPLATES],
    )
