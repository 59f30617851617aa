"""E-mails of the renewal workflow: mail templates rendered in batch, each in
its recipient's language, and queued as e-mails to partners that show in
the chatter of the record they concern.

The run sends thousands of them: they are created in one batch (messages,
outgoing mails and their delivery notifications) rather than one
``message_post`` each, which would notify and render one record at a time.

The chatter notifications of records made by the thousand (an invoice's
"Invoice Created" and the order it comes from) are made in one batch too,
with the values ``message_post`` would give them.
"""

from collections import defaultdict
from uuid import uuid4

from markupsafe import Markup, escape

from odoo import Command
from odoo.tools import SQL

RENDERED_FIELDS = ("subject", "email_from", "reply_to")


def render_mails(template, records):
    """{record id: {field: value}} of ``template`` for ``records``, each in
    its record's language: the subject, sender and reply-to address, and
    the body. Odoo compiles a template's QWeb body once per record; here it
    is compiled once per language, for all the records of that language."""
    separator = f"<!--renewal-{uuid4().hex}-->"
    rendered = defaultdict(dict)
    bodies = {}
    for template_lang, ids in template._classify_per_lang(records.ids).values():
        for field in RENDERED_FIELDS:
            for res_id, value in template_lang._render_field(field, ids).items():
                rendered[res_id][field] = value
        source = template_lang.body_html or ""
        wrapped = (
            '<t t-foreach="renewal_records" t-as="object">'
            f'<t t-out="renewal_separator"/>{source}</t>'
        )
        body = template_lang._render_template_qweb(
            wrapped,
            records._name,
            ids[:1],
            add_context={
                "renewal_records": records.browse(ids),
                "renewal_separator": Markup(separator),
            },
        )[ids[0]]
        parts = str(body).split(separator)[1:]
        bodies.update(zip(ids, (Markup(part) for part in parts), strict=True))
    bodies = template._render_template_postprocess(records._name, bodies)
    for res_id, body in bodies.items():
        rendered[res_id]["body_html"] = body
    return rendered


def post_template_mail(records, template, recipients):
    """Queue ``template`` for each of ``records`` as an e-mail to the
    partners ``recipients(record)`` returns, logged in the record's chatter;
    returns the messages."""
    env = records.env
    if not records:
        return env["mail.message"]
    rendered = render_mails(template, records)
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


def create_followed(model, vals_list):
    """``model.create(vals_list)`` for a mail.thread model created without
    a creation message, with the followers mail.thread adds (the
    responsible user, the followers of the parent such as the sales team)
    subscribed once per group of records with the same values rather than
    once per record: the same followers, in a few queries."""
    records = model.with_context(tracking_disable=True).create(vals_list)
    if model.env.context.get("tracking_disable"):
        return model.browse(records.ids)  # as mail.thread: no subscription
    relations = model.env["mail.message.subtype"]._get_auto_subscription_subtypes(
        model._name
    )[4]
    keys = {"user_id"}.union(*relations.values())
    groups = defaultdict(list)
    for record_id, vals in zip(records.ids, vals_list, strict=True):
        groups[tuple(sorted((key, vals[key]) for key in keys if key in vals))].append(
            record_id
        )
    for values, ids in groups.items():
        model.browse(ids)._message_auto_subscribe(
            dict(values), followers_existing_policy="update"
        )
    return model.browse(records.ids)


# The mail.thread methods ``post_notifications`` does the work of, and the
# modules known to define them without changing a notification that
# notifies nobody (sms acts on SMS messages and SMS recipients only). A
# model on which any other module defines one of them posts through
# ``message_post`` itself.
POSTING_METHODS = frozenset(
    {
        "message_post",
        "_message_compute_parent_id",
        "_message_create",
        "_notify_get_recipients",
        "_notify_thread",
        "_notify_thread_with_out_of_office",
    }
)
PLAIN_POSTING_MODULES = frozenset(
    {"odoo.addons.mail.models.mail_thread", "odoo.addons.sms.models.mail_thread"}
)


def _posts_plainly(model):
    """Whether ``model`` posts messages as mail.thread does."""
    return all(
        klass.__module__ in PLAIN_POSTING_MODULES
        for klass in type(model).__mro__
        if POSTING_METHODS.intersection(vars(klass))
    )


def post_notifications(records, bodies, subtype_id):
    """``record.message_post(body=bodies[record.id], subtype_id=subtype_id)``
    on each of ``records``: notifications of the current user such as an
    invoice's "Invoice Created", made with the very values ``message_post``
    gives them, in one batch. The followers, the threads' last messages and
    the messages are read and created once for all the records rather than
    once per record.

    A record whose message would notify one of its followers, and a model
    that changes how messages are posted, go through ``message_post``."""
    env = records.env
    messages = env["mail.message"]
    if not records:
        return messages
    if not _posts_plainly(records):
        notified = records
    else:
        recipients = env["mail.followers"]._get_recipient_data(
            records, "notification", subtype_id
        )
        notified = records.filtered(lambda r: recipients.get(r.id))
    for record in notified:
        messages |= record.message_post(
            body=bodies[record.id],
            message_type="notification",
            subtype_id=subtype_id,
        )
    quiet = (records - notified)._fallback_lang()
    if not quiet:
        return messages
    author_id, email_from = quiet._message_compute_author()
    alias_domains = quiet.sudo()._mail_get_alias_domains(default_company=env.company)
    companies = quiet._mail_get_companies(default=env.company)
    reply_to = quiet._notify_get_reply_to(default=email_from, author_id=author_id)
    parents = _thread_parents(quiet)
    values_list = []
    for record in quiet:
        values_list.append(
            {
                "email_add_signature": True,
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": records._name,
                "res_id": record.id,
                "body": escape(bodies[record.id]),
                "message_type": "notification",
                "parent_id": parents.get(record.id, False),
                "subject": False,
                "subtype_id": subtype_id,
                "partner_ids": [],
                "incoming_email_to": False,
                "incoming_email_cc": False,
                "outgoing_email_to": False,
                "record_alias_domain_id": alias_domains[record.id].id,
                "record_company_id": companies[record.id].id,
                "reply_to": reply_to[record.id],
                "attachment_ids": [],
            }
        )
    created = quiet._message_create(values_list)
    for record, message, values in zip(quiet, created, values_list, strict=True):
        record._message_post_after_hook(message, values)
    return messages | created


def post_creation_messages(records):
    """The creation message mail.thread posts on each new record, for
    ``records`` created with ``mail_create_nolog``: in one batch."""
    by_subtype = defaultdict(list)
    for record in records:
        by_subtype[record._creation_subtype()].append(record.id)
    for subtype, ids in by_subtype.items():
        threads = records.browse(ids)
        if subtype:
            post_notifications(
                threads.sudo(),
                {
                    thread.id: Markup(
                        '<div summary="o_mail_notification"><p>%s</p></div>'
                    )
                    % thread._creation_message()
                    for thread in threads
                },
                subtype.id,
            )
        else:
            threads._message_log_batch(
                bodies={thread.id: thread._creation_message() for thread in threads}
            )


def _thread_parents(records):
    """{record id: id of the message a new message on the record answers}, as
    ``_message_compute_parent_id`` finds it for each record of a flat
    thread: among its latest 200 messages, the latest comment or e-mail,
    else the latest message."""
    if not records._mail_flat_thread:
        return {}
    Message = records.env["mail.message"]
    Message.flush_model(["model", "res_id", "message_type", "date"])
    records.env.cr.execute(
        SQL(
            """
            SELECT res_id, id, message_type IN ('comment', 'email'),
                   COALESCE(date, create_date)
              FROM (
                SELECT id, res_id, message_type, date, create_date,
                       ROW_NUMBER() OVER (
                           PARTITION BY res_id ORDER BY date DESC, id DESC
                       ) AS latest
                  FROM mail_message
                 WHERE model = %s AND res_id IN %s
                   AND message_type != 'user_notification'
              ) AS messages
             WHERE latest <= 200
            """,
            records._name,
            tuple(records.ids),
        )
    )
    parents = {}
    for res_id, message_id, *key in records.env.cr.fetchall():
        best = parents.get(res_id)
        if best is None or (*key, message_id) > best:
            parents[res_id] = (*key, message_id)
    return {res_id: best[-1] for res_id, best in parents.items()}
