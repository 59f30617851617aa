"""After the upgrade to 19.0.1.2.0:

- The renewal e-mails are now sent through Odoo's mail composer: each
  template names its recipients ("To (Partners)") and the company mail
  layout. Both are set on the module's templates where they are empty,
  leaving any customised text alone.
- Each company now has its own regional renewal teams (a second company's
  contracts get teams of their own). The five teams the module installed,
  shared by all companies until now, become the main company's, unless
  another company's contracts already use one of them (that one stays
  shared, so that those contracts stay valid)."""

from odoo import SUPERUSER_ID, api

LAYOUT = "mail.mail_notification_layout"
TEAMS = ("emea", "ams", "jp", "cn", "apac")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    _set_layout_and_recipients(env)
    _give_the_shared_teams_to_the_main_company(env)


def _give_the_shared_teams_to_the_main_company(env):
    main = env.ref("base.main_company")
    for region in TEAMS:
        team = env.ref(f"symantec_renewals.crm_team_renewals_{region}", False)
        if not team or team.company_id:
            continue
        elsewhere = env["symantec.contract"].search_count(
            [("team_id", "=", team.id), ("company_id", "!=", main.id)], limit=1
        )
        if not elsewhere:
            team.company_id = main


def _set_layout_and_recipients(env):
    data = env["ir.model.data"].search(
        [("module", "=", "symantec_renewals"), ("model", "=", "mail.template")]
    )
    for row in data:
        template = env["mail.template"].browse(row.res_id).exists()
        if not template:
            continue
        values = {}
        if not template.partner_to:
            values["partner_to"] = "{{ object.partner_id.id }}"
        if not template.email_layout_xmlid:
            values["email_layout_xmlid"] = LAYOUT
        if values:
            template.write(values)
