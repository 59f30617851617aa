from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..tools import policy
from ..tools.constants import RUN_STATES


class RenewalPortal(CustomerPortal):
    """Resellers' renewals and customers' contracts (SPEC §7). Who sees what
    is decided by the record rules; the routes only add who may act."""

    # ------------------------------------------------------------------
    # Home tiles
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        partner = request.env.user.partner_id
        Contract = request.env["symantec.contract"]
        if "renewal_count" in counters:
            values["renewal_count"] = (
                Contract.search_count(self._renewals_domain(partner))
                if Contract.has_access("read")
                else 0
            )
        if "contract_count" in counters:
            values["contract_count"] = (
                Contract.search_count(self._contracts_domain(partner))
                if Contract.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Domains
    # ------------------------------------------------------------------

    def _renewals_domain(self, partner):
        """Every open renewal of the contracts ``partner`` resells: due within
        the notice window, late, or still reinstatable."""
        commercial = partner.commercial_partner_id
        today = fields.Date.context_today(request.env.user)
        notice = request.env.company.renewal_notice_days
        return Domain.AND(
            [
                Domain("reseller_id", "child_of", commercial.ids),
                Domain("state", "in", RUN_STATES),
                Domain("renewal_case", "!=", policy.LAPSED),
                Domain("date_end", "<=", today + timedelta(days=notice)),
            ]
        )

    def _contracts_domain(self, partner):
        """The contracts of ``partner``'s company, as customer or as their
        reseller (a reseller finds there the terms it sold, renewed ones
        included)."""
        commercial = partner.commercial_partner_id
        return (
            Domain("partner_id", "child_of", commercial.ids)
            | Domain("reseller_id", "child_of", commercial.ids)
        ) & Domain("state", "not in", ("draft", "cancelled"))

    def _renewal_searchbar_filters(self):
        today = fields.Date.context_today(request.env.user)

        def due_within(days):
            return Domain("date_end", ">=", today) & Domain(
                "date_end", "<=", today + timedelta(days=days)
            )

        return {
            "all": {"label": request.env._("All open renewals"), "domain": Domain.TRUE},
            "due30": {
                "label": request.env._("Due in 30 days"),
                "domain": due_within(30),
            },
            "due60": {
                "label": request.env._("Due in 60 days"),
                "domain": due_within(60),
            },
            "due90": {
                "label": request.env._("Due in 90 days"),
                "domain": due_within(90),
            },
            "late": {
                "label": request.env._("Late"),
                "domain": Domain("renewal_case", "=", policy.LATE),
            },
            "reinstatable": {
                "label": request.env._("Reinstatable"),
                "domain": Domain("renewal_case", "=", policy.REINSTATEMENT),
            },
        }

    def _renewal_searchbar_sortings(self):
        return {
            "date_end": {
                "label": request.env._("Due date"),
                "order": "date_end asc, id",
            },
            "customer": {
                "label": request.env._("Customer"),
                "order": "partner_id, date_end asc, id",
            },
        }

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------

    def _contract_list(
        self,
        url,
        base_domain,
        *,
        page,
        sortby,
        filterby,
        search,
        filters=None,
        by_customer=True,
    ):
        """A page of contracts. ``search`` finds a contract by its reference,
        and with ``by_customer`` by its customer's name too."""
        Contract = request.env["symantec.contract"]
        sortings = self._renewal_searchbar_sortings()
        sortby = sortby if sortby in sortings else "date_end"
        filters = filters or {}
        filterby = filterby if filterby in filters else "all"
        domain = base_domain
        if filters:
            domain &= filters[filterby]["domain"]
        if search:
            found = Domain("name", "ilike", search)
            if by_customer:
                # Customer names the user may not read on their own: the
                # record rules on contracts still decide which come back.
                customers = (
                    request.env["res.partner"]
                    .sudo()
                    ._search([("commercial_partner_id.name", "ilike", search)])
                )
                found |= Domain("partner_id", "in", customers)
            domain &= found
        count = Contract.search_count(domain)
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby, "filterby": filterby, "search": search or ""},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        # Searched as the user (record rules decide), shown with the names
        # of partners the user may not read on their own.
        contracts = Contract.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        ).sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "contracts": contracts,
                "pager": pager,
                "default_url": url,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": {
                    "contract": {
                        "input": "contract",
                        "label": request.env._("Customer or contract")
                        if by_customer
                        else request.env._("Contract"),
                    }
                },
                "search_in": "contract",
                "search": search or "",
                "today": fields.Date.context_today(request.env.user),
            }
        )
        return values

    @http.route(
        ["/my/renewals", "/my/renewals/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_renewals(
        self, page=1, sortby=None, filterby=None, search=None, **kwargs
    ):
        partner = request.env.user.partner_id
        values = self._contract_list(
            "/my/renewals",
            self._renewals_domain(partner),
            page=page,
            sortby=sortby,
            filterby=filterby,
            search=search,
            filters=self._renewal_searchbar_filters(),
        )
        values["page_name"] = "renewals"
        values["renew_together"] = self._renew_together_candidates(partner)
        return request.render("symantec_renewals.portal_my_renewals", values)

    # ------------------------------------------------------------------
    # Renewals made together (SPEC §12)
    # ------------------------------------------------------------------

    def _renew_together_domain(self, partner):
        """The open renewals ``partner`` resells that a quote can renew
        together: those not renewing automatically."""
        return self._renewals_domain(partner) & Domain("auto_renew", "=", False)

    def _renew_together_candidates(self, partner):
        """The customers with several open renewals to renew together, and
        how many: ``[(customer, count)]``, the names shown as on the list."""
        Contract = request.env["symantec.contract"]
        groups = Contract._read_group(
            list(self._renew_together_domain(partner)),
            ["partner_id"],
            ["__count"],
            having=[("__count", ">", 1)],
        )
        return [(customer.sudo(), count) for customer, count in groups]

    @http.route(
        ["/my/renewals/renew_together"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_renew_together(self, partner_id=None, **kwargs):
        """The reseller renews the open renewals of one customer on one
        quote, their new terms ending together; the rep is told."""
        try:
            customer_id = int(partner_id)
        except (TypeError, ValueError) as exc:
            raise request.not_found() from exc
        partner = request.env.user.partner_id
        # Searched as the user: the record rules decide what is theirs.
        contracts = request.env["symantec.contract"].search(
            self._renew_together_domain(partner)
            & Domain("partner_id", "=", customer_id)
        )
        if not contracts:
            raise request.not_found()
        contracts_sudo = contracts.sudo()
        try:
            order = contracts_sudo._renew_together()
        except UserError as exc:
            values = self._prepare_portal_layout_values()
            values.update(error=str(exc), back_url="/my/renewals")
            return request.render(
                "symantec_renewals.portal_contract_error", values, status=409
            )
        # Asked for on the portal: the quote is the reseller's at once.
        order.action_quotation_sent()
        order.renewal_contract_id._notify_quote_requested(request.env.user)
        return request.redirect(order.get_portal_url())

    @http.route(
        ["/my/orders/<int:order_id>/renewal_years"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_quote_renewal_years(
        self, order_id, years=None, access_token=None, **kwargs
    ):
        """Before signing, the renewal quote is made for 1, 2 or 3 years."""
        try:
            order_sudo = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError) as exc:
            raise request.not_found() from exc
        if not order_sudo.renewal_contract_id or order_sudo.renewal_is_auto:
            raise request.not_found()
        # Re-browsed so that the user, not OdooBot, is the chatter's author.
        order = request.env["sale.order"].sudo().browse(order_sudo.id)
        try:
            order._renewal_set_years(years)
        except UserError as exc:
            values = self._prepare_portal_layout_values()
            values.update(
                error=str(exc), back_url=order.get_portal_url(), back_to_quote=True
            )
            return request.render(
                "symantec_renewals.portal_contract_error", values, status=409
            )
        return request.redirect(order.get_portal_url())

    @http.route(
        ["/my/contracts", "/my/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_contracts(self, page=1, sortby=None, search=None, **kwargs):
        partner = request.env.user.partner_id
        values = self._contract_list(
            "/my/contracts",
            self._contracts_domain(partner),
            page=page,
            sortby=sortby,
            filterby=None,
            search=search,
            by_customer=bool(partner.commercial_partner_id.is_reseller),
        )
        values["page_name"] = "contracts"
        return request.render("symantec_renewals.portal_my_contracts", values)

    # ------------------------------------------------------------------
    # One contract
    # ------------------------------------------------------------------

    def _contract_or_404(self, contract_id, access_token=None):
        """The contract, if the user may read it (record rules) or holds its
        access token; else 404, whatever the id, so that nothing says whether
        it exists."""
        try:
            return self._document_check_access(
                "symantec.contract", contract_id, access_token=access_token
            )
        except (AccessError, MissingError) as exc:
            raise request.not_found() from exc

    def _roles(self, contract_sudo):
        if request.env.user._is_public():
            # A visitor with the e-mail link's token reads the page; acting,
            # and the customer's secrets, need the customer's login.
            return {"is_customer": False, "is_reseller": False}
        commercial = request.env.user.partner_id.commercial_partner_id
        return {
            "is_customer": contract_sudo.partner_id.commercial_partner_id == commercial,
            "is_reseller": contract_sudo.reseller_id.commercial_partner_id
            == commercial,
        }

    def _as_portal_user(self, contract_sudo):
        """The contract, still as the portal user (its chatter author) but
        allowed to write what the route lets it change."""
        return request.env["symantec.contract"].sudo().browse(contract_sudo.id)

    @http.route(
        ["/my/contracts/<int:contract_id>"], type="http", auth="public", website=True
    )
    def portal_contract_page(self, contract_id, access_token=None, **kwargs):
        if request.env.user._is_public() and not access_token:
            return request.redirect(
                f"/web/login?redirect=/my/contracts/{int(contract_id)}"
            )
        contract_sudo = self._contract_or_404(contract_id, access_token=access_token)
        roles = self._roles(contract_sudo)
        values = self._prepare_portal_layout_values()
        order = contract_sudo.renewal_order_id
        values.update(
            roles,
            contract=contract_sudo,
            page_name="contract",
            renewal_order=order
            if roles["is_reseller"]
            and order.state in ("sent", "sale")
            and self._is_resellers_order(contract_sudo, order)
            else None,
            show_activation_code=roles["is_customer"]
            and contract_sudo.activation_state in ("pending", "activated"),
            # The e-mail's link opens the page without a login: the code
            # itself waits for the customer's login.
            login_for_activation_code=request.env.user._is_public()
            and contract_sudo.activation_state == "pending",
            can_request_quote=roles["is_reseller"]
            and self._quote_requestable(contract_sudo)
            and not contract_sudo._open_renewal_order(),
            can_switch_auto_renew=roles["is_customer"]
            and self._auto_renew_switchable(contract_sudo),
            message=kwargs.get("message"),
            today=fields.Date.context_today(request.env.user),
            renewed_by=contract_sudo.successor_id
            if contract_sudo.successor_id.state in ("active", "expiring", "renewed")
            else None,
            **self._auto_renewal_values(contract_sudo, roles),
            **self._payment_token_values(contract_sudo, roles),
        )
        return request.render("symantec_renewals.portal_contract_page", values)

    def _auto_renewal_values(self, contract_sudo, roles):
        """The customer's automatic renewal in progress: its order and the
        invoices to pay (the customer's own documents)."""
        order = contract_sudo.renewal_order_id
        if not (
            roles["is_customer"]
            and order.renewal_is_auto
            and order.state == "sale"
            and contract_sudo.state in RUN_STATES
        ):
            return {"auto_renewal_order": None, "auto_renewal_invoices": []}
        return {
            "auto_renewal_order": order,
            "auto_renewal_invoices": order.invoice_ids.filtered(
                lambda invoice: invoice.state == "posted"
            ),
        }

    def _payment_token_values(self, contract_sudo, roles):
        """The customer's saved cards it may choose to pay its automatic
        renewals with (SPEC §11)."""
        if not (roles["is_customer"] and self._card_choosable(contract_sudo)):
            return {"can_choose_card": False, "cards": []}
        return {
            "can_choose_card": True,
            "cards": self._customer_cards(contract_sudo),
            "current_card": contract_sudo.payment_token_id,
        }

    def _card_choosable(self, contract):
        """An online service still running or renewable: the one rule for
        showing the card choice and for accepting its POST."""
        return contract.offering_type == "online" and contract.state in RUN_STATES

    def _customer_cards(self, contract_sudo):
        """The active saved cards of the contract's customer, from providers
        of the contract's company that keep cards."""
        tokens = (
            request.env["payment.token"]
            .sudo()
            .search(
                [
                    (
                        "partner_id",
                        "child_of",
                        contract_sudo.partner_id.commercial_partner_id.id,
                    ),
                    ("company_id", "=", contract_sudo.company_id.id),
                ]
            )
        )
        return tokens.filtered(lambda t: t.provider_id.support_tokenization)

    def _is_resellers_order(self, contract, order):
        """The order is addressed to the contract's current reseller."""
        return (
            order.partner_id.commercial_partner_id
            == contract.reseller_id.commercial_partner_id
        )

    def _quote_requestable(self, contract):
        """A manual renewal the reseller may ask a quote for: the one rule for
        showing the button and for accepting its POST (an automatic renewal
        orders itself)."""
        return (
            not contract.auto_renew
            and contract.state in RUN_STATES
            and contract.renewal_case != policy.LAPSED
        )

    def _auto_renew_switchable(self, contract):
        """An online service still running whose renewal is not ordered yet:
        the one rule for showing the switch and for accepting its POST."""
        return (
            contract.offering_type == "online"
            and contract.state in ("active", "expiring")
            and not contract._waiting_successor()
        )

    @http.route(
        ["/my/contracts/<int:contract_id>/auto_renew"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contract_auto_renew(self, contract_id, auto_renew=None, **kwargs):
        """The customer turns automatic renewal off ("disattiva") or on."""
        contract_sudo = self._contract_or_404(contract_id)
        if not self._roles(contract_sudo)["is_customer"] or auto_renew not in (
            "0",
            "1",
        ):
            raise request.not_found()
        if not self._auto_renew_switchable(contract_sudo):
            raise request.not_found()
        contract = self._as_portal_user(contract_sudo)
        wanted = auto_renew == "1"
        if contract.auto_renew != wanted:
            contract.auto_renew = wanted
            contract.message_post(
                body=(
                    request.env._(
                        "Automatic renewal turned on by %(user)s on the portal.",
                        user=request.env.user.name,
                    )
                    if wanted
                    else request.env._(
                        "Automatic renewal turned off by %(user)s on the portal: "
                        "the renewal is manual from now on.",
                        user=request.env.user.name,
                    )
                )
            )
        return request.redirect(
            f"/my/contracts/{contract.id}?message={'auto_on' if wanted else 'auto_off'}"
        )

    @http.route(
        ["/my/contracts/<int:contract_id>/payment_token"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contract_payment_token(self, contract_id, token_id=None, **kwargs):
        """The customer chooses the saved card its automatic renewals are
        charged to ("0": none, it pays each invoice itself)."""
        contract_sudo = self._contract_or_404(contract_id)
        if not (
            self._roles(contract_sudo)["is_customer"]
            and self._card_choosable(contract_sudo)
        ):
            raise request.not_found()
        try:
            wanted_id = int(token_id or "")
        except ValueError as exc:
            raise request.not_found() from exc
        cards = self._customer_cards(contract_sudo)
        if wanted_id and wanted_id not in cards.ids:
            raise request.not_found()
        card = cards.browse(wanted_id) if wanted_id else cards.browse()
        contract = self._as_portal_user(contract_sudo)
        if contract.payment_token_id != card:
            contract.payment_token_id = card
            contract.message_post(
                body=request.env._(
                    "%(user)s chose to pay the automatic renewals with %(card)s "
                    "on the portal.",
                    user=request.env.user.name,
                    card=card.display_name,
                )
                if card
                else request.env._(
                    "%(user)s stopped paying the automatic renewals by card on "
                    "the portal.",
                    user=request.env.user.name,
                )
            )
        return request.redirect(
            f"/my/contracts/{contract.id}?message={'card_on' if card else 'card_off'}"
        )

    @http.route(
        ["/my/contracts/<int:contract_id>/request_quote"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contract_request_quote(self, contract_id, **kwargs):
        """The reseller asks for the renewal quote: made if none is open, and
        the rep is told."""
        contract_sudo = self._contract_or_404(contract_id)
        if not self._roles(contract_sudo)["is_reseller"]:
            raise request.not_found()
        if not self._quote_requestable(contract_sudo):
            values = self._prepare_portal_layout_values()
            values.update(
                contract=contract_sudo,
                error=request.env._(
                    "Contract %(name)s renews automatically: there is no renewal "
                    "quote to request.",
                    name=contract_sudo.name,
                )
                if contract_sudo.auto_renew
                else request.env._(
                    "Contract %(name)s cannot be renewed with a quote any more.",
                    name=contract_sudo.name,
                ),
            )
            return request.render(
                "symantec_renewals.portal_contract_error", values, status=403
            )
        contract = self._as_portal_user(contract_sudo)
        had_quote = bool(contract._open_renewal_order())
        try:
            order = contract._generate_renewal_quotes()
        except UserError as exc:
            values = self._prepare_portal_layout_values()
            values.update(contract=contract_sudo, error=str(exc))
            return request.render("symantec_renewals.portal_contract_error", values)
        if order.state == "draft":
            # Asked for on the portal: the quote is the reseller's at once.
            order.sudo().action_quotation_sent()
        if not had_quote:
            contract._notify_quote_requested(request.env.user)
        return request.redirect(order.get_portal_url())

    @http.route(
        ["/my/contracts/<int:contract_id>/activate"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contract_activate(self, contract_id, **kwargs):
        """The customer activates its renewed term's code."""
        contract_sudo = self._contract_or_404(contract_id)
        if (
            not self._roles(contract_sudo)["is_customer"]
            or contract_sudo.activation_state != "pending"
        ):
            raise request.not_found()
        self._as_portal_user(contract_sudo).action_activate_code()
        return request.redirect(f"/my/contracts/{contract_id}?message=activated")
