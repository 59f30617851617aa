from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_date

from ..tools import policy
from ..tools.security import is_privileged


class SymantecContractLine(models.Model):
    _name = "symantec.contract.line"
    _description = "Maintenance Contract Line"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "symantec.contract", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id", store=True)
    tier_id = fields.Many2one(related="contract_id.tier_id")
    pricing_method = fields.Selection(related="contract_id.tier_id.pricing_method")
    product_id = fields.Many2one(
        "product.product",
        string="Covered Product",
        required=True,
        check_company=True,
    )
    name = fields.Char(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit", required=True)
    license_value = fields.Monetary(
        string="Licence Value",
        help="Licence value per unit, for tiers priced as a percentage of it.",
    )
    price_unit = fields.Monetary(
        string="Yearly Unit Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="Yearly maintenance price of one unit, from the tier. Only renewal "
        "managers may set another price.",
    )
    price_subtotal = fields.Monetary(
        string="Yearly Subtotal", compute="_compute_price_subtotal", store=True
    )

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.display_name

    @api.depends("contract_id.tier_id", "contract_id.currency_id", "license_value")
    def _compute_price_unit(self):
        """The tier's price while a first term is being drafted. A running
        term, and any renewed term (its lines carry the renewed price, uplift
        included), keeps the price it has: changing its licence value or tier
        does not re-price it; only a renewal manager sets another price."""
        for line in self:
            contract = line.contract_id
            keeps_price = line.price_unit and (
                contract.predecessor_id or contract.state not in (False, "draft")
            )
            if not keeps_price:
                line.price_unit = line._standard_price_unit()

    def _standard_price_unit(self):
        """The yearly unit price the tier gives this line."""
        self.ensure_one()
        tier = self.contract_id.tier_id
        if not tier or not self.contract_id.currency_id:
            return 0.0
        return tier.yearly_unit_price(
            self.license_value,
            self.contract_id.currency_id,
            self.contract_id.date_start,
        )

    def _prepare_renewal_order_line_values(
        self, new_start, new_end, months, years=1, coterm=False
    ):
        """The renewal quote's line for this covered product: the tier's
        product at the standard renewal price (SPEC §5) for the new term
        from ``new_start`` to ``new_end`` (``months`` long), or, for renewals
        made together (``coterm``), the yearly renewed price prorated by day
        to that term (SPEC §12); renewals for two years or more get the
        tier's multi-year discount."""
        self.ensure_one()
        contract = self.contract_id
        tier = contract.tier_id
        renewed = policy.renewed_yearly_price(
            self.price_unit, tier.renewal_uplift_percent
        )
        price = (
            policy.prorated_price(renewed, new_start, new_end)
            if coterm
            else renewed * months / 12.0
        )
        discount = tier.multi_year_discount_percent if years >= 2 else 0.0
        name = self.env._(
            "%(tier)s for %(product)s\nTerm: %(start)s - %(end)s",
            tier=tier.name,
            product=self.name or self.product_id.display_name,
            start=format_date(self.env, new_start),
            end=format_date(self.env, new_end),
        )
        if coterm:
            name += "\n" + self.env._(
                "Co-terminated: %(days)s days at the yearly price prorated by day",
                days=policy.term_days(new_start, new_end),
            )
        if years >= 2:
            name += "\n" + (
                self.env._(
                    "Renewed for %(years)s years, multi-year discount %(discount)s%%",
                    years=years,
                    discount=discount,
                )
                if discount
                else self.env._("Renewed for %(years)s years", years=years)
            )
        return {
            "product_id": tier.product_id.id,
            "product_uom_qty": self.quantity,
            "price_unit": contract.currency_id.round(
                policy.multi_year_discounted(price, years, discount)
            ),
            "name": name,
            "renewal_line_kind": "renewal",
            "renewal_contract_line_id": self.id,
        }

    def _prepare_successor_line_values(self, quantity=None):
        """This covered product in the next term: the same product and
        licence value, ``quantity`` units (as ordered, else as now), at the
        renewed yearly price -- never the late surcharge nor the fee -- so
        that uplifts compound term after term."""
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "name": self.name,
            "quantity": quantity or self.quantity,
            "license_value": self.license_value,
            "price_unit": self.currency_id.round(
                policy.renewed_yearly_price(
                    self.price_unit, self.contract_id.tier_id.renewal_uplift_percent
                )
            ),
        }

    @api.depends("quantity", "price_unit")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit

    @api.constrains("quantity", "license_value", "price_unit")
    def _check_amounts(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the quantity of %(product)s must be "
                        "greater than zero.",
                        contract=line.contract_id._name_in_messages(),
                        product=line.product_id.display_name,
                    )
                )
            if line.license_value < 0 or line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the licence value and price of "
                        "%(product)s cannot be negative.",
                        contract=line.contract_id._name_in_messages(),
                        product=line.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if any("price_unit" in vals for vals in vals_list):
            lines._check_price_override()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if "price_unit" in vals:
            self._check_price_override()
        return result

    def _check_price_override(self):
        """Only managers set a yearly price other than the tier's (renewal
        terms carry their renewed price, set by the renewal itself as the
        workflow; no context key lifts this)."""
        if is_privileged(self.env):
            return
        for line in self:
            standard = line._standard_price_unit()
            if line.currency_id.compare_amounts(line.price_unit, standard):
                raise AccessError(
                    self.env._(
                        "Only renewal managers can change the yearly price of "
                        "%(product)s from the tier's %(price)s.",
                        product=line.product_id.display_name,
                        price=standard,
                    )
                )
