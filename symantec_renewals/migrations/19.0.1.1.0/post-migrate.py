"""The renewal e-mails' subjects and addresses now use plain field
placeholders, which Odoo reads without evaluating code for each e-mail of the
renewal run. The templates are ``noupdate``: rewrite the old placeholders in
place (in every language), leaving the rest of any customised text alone."""

from odoo.tools import SQL

PLACEHOLDERS = {
    "{{ format_date(object.date_end) }}": "{{ object.date_end_text }}",
    "{{ object.company_id.email_formatted or user.email_formatted }}": (
        "{{ object.company_id.email_formatted }}"
    ),
    "{{ object.renewal_contact_email or '' }}": "{{ object.renewal_contact_email }}",
    "{{ object.renewal_end_customer_id.name or '' }}": (
        "{{ object.renewal_end_customer_id.name }}"
    ),
    "{{ object.renewal_contract_id.renewal_contact_email or '' }}": (
        "{{ object.renewal_contract_id.renewal_contact_email }}"
    ),
}
# subject is translated (jsonb), the addresses are not.
COLUMNS = {"subject": "jsonb", "email_from": "varchar", "reply_to": "varchar"}


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """SELECT res_id FROM ir_model_data
            WHERE module = 'symantec_renewals' AND model = 'mail.template'"""
    )
    ids = tuple(row[0] for row in cr.fetchall())
    if not ids:
        return
    for column, column_type in COLUMNS.items():
        for old, new in PLACEHOLDERS.items():
            cr.execute(
                SQL(
                    "UPDATE mail_template SET %(column)s = "
                    "replace(%(column)s::text, %(old)s, %(new)s)::%(type)s "
                    "WHERE id IN %(ids)s AND %(column)s::text LIKE %(pattern)s",
                    column=SQL.identifier(column),
                    type=SQL(column_type),
                    old=old,
                    new=new,
                    ids=ids,
                    pattern=f"%{old}%",
                )
            )
