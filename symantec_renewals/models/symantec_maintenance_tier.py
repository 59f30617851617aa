from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

MIN_TERM_MONTHS = 12


class SymantecMaintenanceTier(models.Model):
    _name = "symantec.maintenance.tier"
    _description = "Maintenance Tier"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    description = fields.Html(translate=True)
    offering_type = fields.Selection(
        [
            ("software", "On-premise software"),
            ("online", "Online services"),
            ("hardware", "Hardware support"),
            ("service", "Premium support and services"),
        ],
        required=True,
        default="software",
        tracking=True,
    )
    pricing_method = fields.Selection(
        [
            ("percent_of_license", "Percentage of licence value"),
            ("per_unit", "Price per unit"),
        ],
        compute="_compute_pricing_method",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="How the yearly maintenance value of a contract line is set: a "
        "percentage of the licence value of the covered product (perpetual "
        "licences), or a yearly price per unit.",
    )
    license_percent = fields.Float(
        string="Licence %",
        digits=(5, 2),
        default=22.0,
        tracking=True,
        help="Yearly maintenance value as a percentage of the licence value.",
    )
    unit_price = fields.Monetary(
        string="Yearly Unit Price", currency_field="currency_id", tracking=True
    )
    renewal_uplift_percent = fields.Float(
        string="Renewal Uplift %",
        digits=(5, 2),
        tracking=True,
        help="Standard price increase applied at each renewal.",
    )
    multi_year_discount_percent = fields.Float(
        string="Multi-year Discount %",
        digits=(5, 2),
        tracking=True,
        help="Discount on renewals ordered for two or three years at once.",
    )
    min_term_months = fields.Integer(
        string="Minimum Term (months)", default=MIN_TERM_MONTHS, tracking=True
    )
    response_time_hours = fields.Integer(
        string="Response Time (hours)", help="Hardware support only."
    )
    replacement_option = fields.Selection(
        [
            ("repair", "Repair"),
            ("advance_replacement", "Advance replacement"),
            ("onsite", "On-site"),
        ],
        help="Hardware support only.",
    )
    is_addon = fields.Boolean(
        string="Sold as Add-on",
        help="Offered as an optional upgrade on renewal quotes.",
    )
    benefit_security_updates = fields.Boolean(string="Security Content Updates")
    benefit_version_upgrades = fields.Boolean(string="Version Upgrades")
    benefit_product_updates = fields.Boolean(
        string="Product Updates", help="Patches, improvements and fixes."
    )
    benefit_support_24x7 = fields.Boolean(string="24x7 Phone and Online Support")
    benefit_self_service = fields.Boolean(string="Self-service Resources")
    benefit_hardware_replacement = fields.Boolean(string="Hardware Repair/Replacement")
    benefit_designated_expert = fields.Boolean(string="Designated Expert")
    product_id = fields.Many2one(
        "product.product",
        string="Quote Product",
        check_company=True,
        domain=[("type", "=", "service")],
        help="The service product put on renewal quotes. Left empty, a service "
        "product named after the tier is created.",
    )
    contract_count = fields.Integer(compute="_compute_contract_count")

    _code_company_unique = models.Constraint(
        "unique(code, company_id)",
        "A tier code must be unique per company.",
    )

    @api.depends("offering_type")
    def _compute_pricing_method(self):
        for tier in self:
            tier.pricing_method = (
                "percent_of_license" if tier.offering_type == "software" else "per_unit"
            )

    def _compute_contract_count(self):
        counts = dict(
            self.env["symantec.contract"]._read_group(
                [("tier_id", "in", self.ids)], ["tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.contract_count = counts.get(tier, 0)

    @api.constrains("min_term_months")
    def _check_min_term_months(self):
        for tier in self:
            if tier.min_term_months < MIN_TERM_MONTHS:
                raise ValidationError(
                    self.env._(
                        "The minimum term of tier %(tier)s cannot be shorter than "
                        "%(months)s months.",
                        tier=tier.display_name,
                        months=MIN_TERM_MONTHS,
                    )
                )

    @api.constrains("license_percent", "unit_price", "renewal_uplift_percent")
    def _check_prices(self):
        for tier in self:
            if tier.license_percent < 0 or tier.unit_price < 0:
                raise ValidationError(
                    self.env._(
                        "The prices of tier %(tier)s cannot be negative.",
                        tier=tier.name,
                    )
                )
            if tier.renewal_uplift_percent < 0:
                raise ValidationError(
                    self.env._(
                        "The renewal uplift of tier %(tier)s cannot be negative.",
                        tier=tier.name,
                    )
                )

    @api.constrains("multi_year_discount_percent")
    def _check_multi_year_discount(self):
        for tier in self:
            if not 0 <= tier.multi_year_discount_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The multi-year discount of tier %(tier)s must be between "
                        "0 and 100 %%.",
                        tier=tier.name,
                    )
                )

    @api.constrains("response_time_hours")
    def _check_response_time(self):
        for tier in self:
            if tier.response_time_hours < 0:
                raise ValidationError(
                    self.env._(
                        "The response time of tier %(tier)s cannot be negative.",
                        tier=tier.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        for tier in tiers.filtered(lambda t: not t.product_id):
            tier.product_id = self.env["product.product"].create(
                tier._prepare_product_values()
            )
        self.env.registry.clear_cache()  # _addon_tier_ids
        return tiers

    def write(self, vals):
        result = super().write(vals)
        if {"is_addon", "active", "company_id", "sequence", "name"}.intersection(vals):
            self.env.registry.clear_cache()  # _addon_tier_ids
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # _addon_tier_ids
        return result

    @api.model
    @tools.ormcache("company_id")
    def _addon_tier_ids(self, company_id):
        """The active add-on services of a company, offered on its renewal
        quotes: read once, not once per quote of the renewal run."""
        return tuple(
            self.sudo()
            .search([("is_addon", "=", True), ("company_id", "=", company_id)])
            .ids
        )

    def _prepare_product_values(self):
        """Values of the service product created for a tier without one."""
        self.ensure_one()
        return {
            "name": self.name,
            "type": "service",
            "sale_ok": True,
            "invoice_policy": "order",
            "purchase_ok": False,
            "list_price": self.unit_price,
            "default_code": self.code,
            "company_id": self.company_id.id,
        }

    def yearly_unit_price(self, license_value, currency, date=None):
        """The yearly maintenance price of one unit under this tier, in
        ``currency``: a percentage of the per-unit ``license_value`` (given in
        ``currency``), or the tier's unit price converted."""
        self.ensure_one()
        if self.pricing_method == "percent_of_license":
            return currency.round((license_value or 0.0) * self.license_percent / 100.0)
        return self.currency_id._convert(
            self.unit_price,
            currency,
            self.company_id,
            date or fields.Date.context_today(self),
        )

    def action_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "symantec_renewals.symantec_contract_action"
        )
        action["domain"] = [("tier_id", "=", self.id)]
        action["context"] = {"default_tier_id": self.id}
        return action
