"""After the upgrade to 19.0.1.4.0 has loaded this addon's data:

The automatic-renewal e-mail (``mail_template_auto_renewal_order``) now says
when the renewal invoice is charged to the customer's saved card. Its
template is in a ``noupdate="1"`` block of the data file, which an update
never loads again for a record that exists, whatever the ``noupdate`` of its
xml id: a database installed before keeps the old text. Where the template
is still the one this module shipped (19.0.1.2.0 to 19.0.1.3.0, the texts
in ``old_bodies/``), its record is loaded again here from the data file, as
an update would load it, and stays ``noupdate``.

The body's translations are whole texts, and the translation load that ends
the upgrade only adds the languages the body has no text in. The
translations that are still a text this module shipped (in ``old_bodies/``,
or the old English kept in another language) are removed first, so that the
load puts the new ones of the module's ``.po`` files (Italian) in their
place, and a language with none shows the new English. A translation the
user wrote stays.

A template the user changed (its English body or another field the data
file sets, which loading it again would overwrite) is left as it is; Odoo's
*Reset Template* gives it the new text when wanted."""

import logging
from pathlib import Path

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import file_open
from odoo.tools.convert import xml_import

_logger = logging.getLogger(__name__)

MODULE = "symantec_renewals"
XMLID = "mail_template_auto_renewal_order"
DATA_FILE = "data/mail_template_data.xml"
OLD_BODIES = Path(__file__).parent / "old_bodies"
# The English body of 19.0.1.2.0 and 19.0.1.3.0, and the Italian texts
# it.po gave it over those versions: Odoo's register (tu, 19.0.1.3.0), the
# formal register before it, and the text of the older e-mail that one
# export of 19.0.1.2.0 gave it by mistake.
OLD_BODY_FILES = {
    "en_US": ("en_US.html",),
    "it_IT": ("it_IT.html", "it_IT.formal.html", "it_IT.contract.html"),
}
# The other fields of the data file, as 19.0.1.3.0 shipped them (and as
# 19.0.1.4.0 still does): loading the record again writes them too.
SHIPPED = {
    "name": "Renewals: automatic renewal ordered",
    "subject": "Your subscription {{ object.renewal_contract_id.name }} "
    "is renewed: {{ object.name }}",
    "description": "Sent to the customer when its automatic renewal is ordered, "
    "with the invoice to pay",
    "email_from": "{{ object.company_id.email_formatted }}",
    "reply_to": "{{ object.renewal_contract_id.renewal_contact_email }}",
    "lang": "{{ object.partner_id.lang }}",
    "partner_to": "{{ object.partner_id.id }}",
    "email_layout_xmlid": "mail.mail_notification_layout",
    "auto_delete": True,
}


def normalize(html):
    """The text without the whitespace around it and at its line ends (the
    data load strips the first, editors the second)."""
    return "\n".join(line.rstrip() for line in (html or "").strip().splitlines())


def old_bodies():
    """{language: the normalized bodies this module shipped in it}."""
    return {
        lang: {normalize((OLD_BODIES / name).read_text()) for name in names}
        for lang, names in OLD_BODY_FILES.items()
    }


def migrate(cr, version):
    if not version:
        return
    template = _shipped_template(cr)
    if not template:
        return
    shipped = _shipped_translations(template["body_html"])
    if shipped:
        cr.execute(
            "UPDATE mail_template SET body_html = body_html - %s::text[] WHERE id = %s",
            [shipped, template["template_id"]],
        )
    _load_again(api.Environment(cr, SUPERUSER_ID, {}), template["data_id"])
    _logger.info(
        "%s: the new body replaces the one shipped (translations replaced: %s)",
        XMLID,
        ", ".join(shipped) or "none",
    )


def _shipped_template(cr):
    """The template's row, when it is as this module shipped it."""
    cr.execute(
        """SELECT d.id AS data_id, t.id AS template_id, t.body_html,
                  t.name->>'en_US' AS name, t.subject->>'en_US' AS subject,
                  t.description->>'en_US' AS description, t.email_from,
                  t.reply_to, t.lang, t.partner_to, t.email_layout_xmlid,
                  t.auto_delete
             FROM ir_model_data d
             JOIN mail_template t ON t.id = d.res_id
            WHERE d.module = %s AND d.model = 'mail.template' AND d.name = %s""",
        [MODULE, XMLID],
    )
    template = cr.dictfetchone()
    if not template:
        return None
    body = (template["body_html"] or {}).get("en_US")
    if normalize(body) not in old_bodies()["en_US"]:
        _logger.info("%s: not the body 19.0.1.3.0 shipped, left as it is", XMLID)
        return None
    changed = [name for name, value in SHIPPED.items() if template[name] != value]
    if changed:
        _logger.info("%s: changed (%s), left as it is", XMLID, ", ".join(changed))
        return None
    return template


def _shipped_translations(body):
    """The languages of ``body`` whose text this module shipped."""
    old = old_bodies()
    return [
        lang
        for lang, text in body.items()
        if lang != "en_US" and normalize(text) in old["en_US"] | old.get(lang, set())
    ]


def _load_again(env, data_id):
    """Load the template's record from the data file as an update would if
    it were not ``noupdate``, and leave it ``noupdate``."""
    with file_open(f"{MODULE}/{DATA_FILE}", "rb") as data_file:
        path = data_file.name
        document = etree.parse(data_file)
    record = document.xpath("//record[@id=$xmlid]", xmlid=XMLID)[0]
    root = etree.Element("odoo")
    root.append(record)
    env.cr.execute("UPDATE ir_model_data SET noupdate = false WHERE id = %s", [data_id])
    xml_import(env, MODULE, {}, "update", xml_filename=path).parse(root)
    env.flush_all()
    env.cr.execute("UPDATE ir_model_data SET noupdate = true WHERE id = %s", [data_id])
    env.invalidate_all()
