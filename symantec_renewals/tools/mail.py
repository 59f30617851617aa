"""E-mails of the renewal workflow: mail templates rendered in batch, each in
its recipient's language, and queued as e-mails to partners that show in
the chatter of the record they concern.

The run sends thousands of them: they are created in one batch (messages,
outgoing mails and their delivery notifications) rather than one
``message_post`` each, which would notify and render one record at a time.
"""

from odoo import Command


def post_template_mail(records, template, recipients):
    """Queue ``template`` for each of ``records`` as an e-mail to the
    partners ``recipients(record)`` returns, logged in the record's chatter;
    returns the messages."""
    env = records.env
    if not records:
        return env["mail.message"]
    rendered = template._generate_template(
        records.ids, ("subject", "body_html", "email_from", "reply_to")
    )
    author = env.user.partner_id
    subtype_id = env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
    values = []
    for record in records:
        partners = recipients(record)
        mail = rendered[record.id]
        body = mail.get("body_html") or ""
        values.append(
            {
                "model": records._name,
                "res_id": record.id,
                "record_name": record.display_name,
                "message_type": "comment",
                "subtype_id": subtype_id,
                "author_id": author.id,
                "email_from": mail.get("email_from") or author.email_formatted,
                "reply_to": mail.get("reply_to") or False,
                "subject": mail.get("subject") or False,
                "body": body,
                "body_html": body,
                "partner_ids": [Command.set(partners.ids)],
                "recipient_ids": [Command.set(partners.ids)],
                "auto_delete": template.auto_delete,
            }
        )
    mails = env["mail.mail"].sudo().create(values)
    env["mail.notification"].sudo().create(
        [
            {
                "mail_message_id": mail.mail_message_id.id,
                "mail_mail_id": mail.id,
                "res_partner_id": partner.id,
                "notification_type": "email",
                "notification_status": "ready",
                "is_read": True,
            }
            for mail in mails
            for partner in mail.recipient_ids
        ]
    )
    return mails.mail_message_id
