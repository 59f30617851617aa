"""E-mails of the renewal workflow: mail templates rendered in batch, each in
its recipient's language, and queued as e-mails to partners that show in
the chatter of the record they concern.

The run sends thousands of them: they are created in one batch (messages,
outgoing mails and their delivery notifications) rather than one
``message_post`` each, which would notify and render one record at a time.
"""

from uuid import uuid4

from markupsafe import Markup

from odoo import Command


def render_bodies(template, records):
    """{record id: body} of ``template`` for ``records``, in each record's
    language. Odoo compiles a template's QWeb body once per record; here it
    is compiled once per language, for all the records of that language."""
    separator = f"<!--renewal-{uuid4().hex}-->"
    bodies = {}
    for template_lang, ids in template._classify_per_lang(records.ids).values():
        source = template_lang.body_html or ""
        wrapped = (
            '<t t-foreach="renewal_records" t-as="object">'
            f'<t t-out="renewal_separator"/>{source}</t>'
        )
        rendered = template_lang._render_template_qweb(
            wrapped,
            records._name,
            ids[:1],
            add_context={
                "renewal_records": records.browse(ids),
                "renewal_separator": Markup(separator),
            },
        )[ids[0]]
        parts = str(rendered).split(separator)[1:]
        bodies.update(zip(ids, (Markup(part) for part in parts), strict=True))
    return template._render_template_postprocess(records._name, bodies)


def post_template_mail(records, template, recipients):
    """Queue ``template`` for each of ``records`` as an e-mail to the
    partners ``recipients(record)`` returns, logged in the record's chatter;
    returns the messages."""
    env = records.env
    if not records:
        return env["mail.message"]
    rendered = template._generate_template(
        records.ids, ("subject", "email_from", "reply_to")
    )
    bodies = render_bodies(template, records)
    author = env.user.partner_id
    subtype_id = env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
    values = []
    for record in records:
        partners = recipients(record)
        mail = rendered[record.id]
        body = bodies.get(record.id) or ""
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
