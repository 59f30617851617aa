"""E-mails of the renewal workflow: mail templates rendered in batch, each in
its recipient's language, and posted in the chatter of the record they
concern as e-mails to partners."""


def post_template_mail(records, template, recipients):
    """Post ``template`` on each of ``records`` as an e-mail to the partners
    ``recipients(record)`` returns; returns the messages posted."""
    messages = records.env["mail.message"]
    if not records:
        return messages
    rendered = template._generate_template(
        records.ids, ("subject", "body_html", "email_from", "reply_to")
    )
    subtype_id = records.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
    for record in records:
        values = rendered[record.id]
        partners = recipients(record)
        messages |= record.message_post(
            body=values.get("body_html", ""),
            subject=values.get("subject"),
            email_from=values.get("email_from") or None,
            reply_to=values.get("reply_to") or None,
            partner_ids=partners.ids,
            message_type="comment",
            subtype_id=subtype_id,
            email_layout_xmlid=template.email_layout_xmlid
            or "mail.mail_notification_light",
        )
    return messages
