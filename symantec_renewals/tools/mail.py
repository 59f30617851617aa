"""E-mails of the renewal workflow, through Odoo's own mail composer.

The renewal run e-mails thousands of customers and resellers a night. Each
batch of one template goes through ``mail.compose.message`` in mass-mail
mode, Odoo's batch path for e-mailing many records: the template is
rendered for every record in its recipients' language and wrapped in the
company's mail layout, the e-mails are queued for Odoo's mail queue with
their delivery notifications, and each e-mail is kept in the chatter of
its record once sent ("keep a copy": ``auto_delete_keep_log``).
"""


def send_renewal_mails(records, template):
    """Queue ``template`` as an e-mail for each of ``records``, to the
    partners its "To (Partners)" names, logged in each record's chatter."""
    if not records:
        return
    records.env["mail.compose.message"].create(
        {
            "composition_mode": "mass_mail",
            "model": records._name,
            "res_ids": records.ids,
            "template_id": template.id,
            "auto_delete_keep_log": True,
            # Renewal notices are service e-mails, not marketing: the
            # mailing exclusion list does not apply to them.
            "use_exclusion_list": False,
            # The mail queue sends them: the run's transaction stays short.
            "force_send": False,
        }
    ).action_send_mail()
