"""Automatic payment of automatic renewals and dunning (SPEC §11):
``symantec.contract`` methods charging the customer's saved card for the
renewal invoice through Odoo's payment flow, and retrying on failure.

No invoice is ever charged twice. A charge is a ``payment.transaction``
(operation ``offline``) linked to the invoice; it is created and committed
before the provider is asked, so that the provider's answer, even an
asynchronous one after a crash, always finds it. A new attempt is made only
when the invoice is unpaid and none of its transactions is waiting for an
answer (draft, pending, authorised) or done; the contract row is locked
while the charge is prepared, and that transaction writes it, so that two
workers cannot both prepare one."""

import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import policy
from ..tools.constants import RUN_STATES
from ..tools.mail import send_renewal_mails

_logger = logging.getLogger(__name__)

# Transactions that stand for a charge being made or made: while one of an
# invoice is in these states, the invoice is not charged again.
LIVE_TRANSACTION_STATES = ("draft", "pending", "authorized", "done")
PAYMENT_STATES = [
    ("charging", "Charge in progress"),
    ("paid", "Paid by card"),
    ("failed", "Payment failed"),
]


# The card payment of renewals is a concern of its own (payment providers,
# dunning), kept beside the renewal workflow it follows rather than in it.
class SymantecContract(models.Model):
    _inherit = "symantec.contract"  # pylint: disable=consider-merging-classes-inherited

    # Contracts the charge phase of the run reads at once.
    _renewal_charge_batch_size = 100
    # Days without the provider's answer after which the rep checks a charge.
    _renewal_charge_stalled_days = 2

    payment_token_id = fields.Many2one(
        "payment.token",
        string="Renewal Card",
        copy=False,
        tracking=True,
        index="btree_not_null",
        groups="base.group_user",
        domain="[('partner_id', 'child_of', commercial_partner_id), "
        "('company_id', '=', company_id)]",
        help="Automatic renewals of this contract are charged to this saved "
        "payment method of the customer on the day they are invoiced.",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer Company"
    )
    renewal_payment_state = fields.Selection(
        PAYMENT_STATES,
        string="Renewal Payment",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Where the card payment of the automatic renewal stands: charge "
        "waiting for the payment provider's answer, paid, or failed (retried "
        "on the days of the company's dunning policy).",
    )
    renewal_payment_attempts = fields.Integer(
        string="Charge Attempts", copy=False, readonly=True
    )
    renewal_payment_failed_date = fields.Date(
        string="First Failed Charge", copy=False, readonly=True
    )
    renewal_payment_next_date = fields.Date(
        string="Next Charge", copy=False, readonly=True, index="btree_not_null"
    )
    renewal_payment_tx_id = fields.Many2one(
        "payment.transaction",
        string="Last Charge",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups="base.group_user",
    )

    @api.constrains("payment_token_id", "partner_id", "tier_id")
    def _check_payment_token(self):
        for contract in self.sudo():
            token = contract.payment_token_id
            if not token:
                continue
            if (
                token.partner_id.commercial_partner_id
                != contract.partner_id.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the card %(card)s is not one of its "
                        "customer %(customer)s.",
                        name=contract.name,
                        card=token.display_name,
                        customer=contract.partner_id.commercial_partner_id.name,
                    )
                )
            if contract.offering_type != "online":
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: only online services renew "
                        "automatically and are charged to a card.",
                        name=contract.name,
                    )
                )
            if (
                not token.active
                or not token.provider_id.support_tokenization
                or token.company_id != contract.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the card %(card)s cannot be charged "
                        "(archived, or of a payment provider of another company "
                        "or without saved cards).",
                        name=contract.name,
                        card=token.display_name,
                    )
                )

    @api.model
    def _demo_renewal_cards(self, cards):
        """Demo data: a payment_demo card for each (contract id, simulated
        state, last digits) of ``cards``, saved by the customer's contact;
        nothing when payment_demo is not installed."""
        provider = self.env.ref("payment.payment_provider_demo", False)
        method = self.env.ref("payment_demo.payment_method_demo", False)
        if not provider or provider.code != "demo" or not method:
            return
        Token = self.env["payment.token"]
        for contract_id, simulated_state, details in cards:
            contract = self.browse(contract_id).exists()
            if not contract or contract.payment_token_id:
                continue
            partner = contract.partner_id.child_ids[:1] or contract.partner_id
            contract.payment_token_id = Token.create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "partner_id": partner.id,
                    "payment_details": details,
                    "provider_ref": f"demo-{contract.name}",
                    "demo_simulated_state": simulated_state,
                }
            )

    def _prepare_successor_values(self, order, state):
        # The next term is charged to the same card, while it can be.
        values = super()._prepare_successor_values(order, state)
        token = self.sudo().payment_token_id
        values["payment_token_id"] = token.id if token.active else False
        return values

    def write(self, vals):
        changed = self.browse()
        if vals.get("payment_token_id"):
            changed = self.filtered(
                lambda c: c.sudo().payment_token_id.id != vals["payment_token_id"]
            )
        result = super().write(vals)
        if changed:
            changed._schedule_charge_on_new_card(fields.Date.context_today(self))
        return result

    # ------------------------------------------------------------------
    # Charging the renewal invoice
    # ------------------------------------------------------------------

    def _schedule_charge_on_new_card(self, today):
        """A card chosen while the automatic renewal's invoice waits unpaid
        with no charge planned or waiting (it was invoiced before the card,
        or every retry failed): the next run charges it."""
        todo = self.sudo().filtered(
            lambda c: (
                c.state in RUN_STATES
                and c.renewal_case != policy.LAPSED
                and not c.renewal_payment_next_date
                and c.renewal_payment_state != "charging"
                and c._renewal_invoice()
            )
        )
        todo.write({"renewal_payment_next_date": today})

    def _schedule_renewal_charge(self, today):
        """The automatic renewal is invoiced: contracts with a card are
        charged today (by the charge phase of the run, after the batch that
        made the invoice is committed)."""
        self.filtered(lambda c: c.sudo().payment_token_id).sudo().write(
            {
                "renewal_payment_state": False,
                "renewal_payment_attempts": 0,
                "renewal_payment_failed_date": False,
                "renewal_payment_next_date": today,
            }
        )

    @api.model
    def _get_renewal_charge_domain(self, today):
        return [
            ("renewal_payment_next_date", "<=", today),
            ("state", "in", RUN_STATES),
            ("renewal_case", "!=", policy.LAPSED),
        ]

    @api.model
    def _renewal_charge_run(self, today, commit=None, domain=None):
        """Charge the renewal invoices due today (first charges and dunning
        retries, of the contracts matching ``domain`` too), in batches of
        ``_renewal_charge_batch_size``. ``commit`` (the scheduled action's)
        is called once the batch's charges are recorded and before the
        provider is asked, then once its answers are recorded; without it
        everything stays in the current transaction (demo data, tests).
        Returns the contracts handled."""
        handled = self.browse()
        while True:
            contracts = self.search(
                [
                    *self._get_renewal_charge_domain(today),
                    *(domain or []),
                    ("id", "not in", handled.ids),
                ],
                order="renewal_payment_next_date, id",
                limit=self._renewal_charge_batch_size,
            )
            if not contracts:
                self._follow_up_stalled_charges(today, domain)
                return handled
            handled |= contracts
            contracts._renewal_charge(today, commit)

    def _renewal_charge(self, today, commit=None):
        """One charge of the renewal invoice of each of these contracts that
        is still due and whose invoice has no other charge made or waiting;
        returns the transactions. As Odoo charges the payments it posts with
        a saved card: the transactions created at once, each sent to its
        provider, then post-processed together (the payments made and
        reconciled, the answers recorded on the contracts, see
        payment.transaction's ``_post_process``)."""
        Transaction = self.env["payment.transaction"]
        contracts = self._lock_for_charge(today)
        txs = Transaction
        for company in contracts.company_id:
            txs |= (
                contracts.filtered(lambda c, co=company: c.company_id == co)
                .with_company(company)
                ._prepare_renewal_charges(today)
            )
        if not txs:
            return Transaction
        if commit:
            commit()
        answered = Transaction
        for tx in txs:
            try:
                with self.env.cr.savepoint():
                    tx._charge_with_token()
                answered |= tx
                # Each answer is kept before the next provider is asked, as
                # Odoo's post-processing commits each transaction.
                if commit:
                    commit()
            except Exception:
                # The provider's answer is unknown: the transaction stays as
                # it is (committed), and blocks any other charge of the
                # invoice until the provider's notification or a person
                # settles it.
                _logger.exception(
                    "Renewal charge %s failed before its answer was recorded",
                    tx.reference,
                )
        try:
            with self.env.cr.savepoint():
                answered._post_process()
        except Exception:
            # One transaction's post-processing broke: each on its own, so
            # that the others are recorded; a transaction left unprocessed is
            # taken again by Odoo's post-processing scheduled action.
            for tx in answered:
                try:
                    with self.env.cr.savepoint():
                        tx._post_process()
                except Exception:
                    _logger.exception(
                        "Renewal charge %s: its answer could not be recorded",
                        tx.reference,
                    )
        if commit:
            commit()
        return txs

    def _lock_for_charge(self, today):
        """Those of these contracts locked for their charge: without the rows
        another worker holds or changed since this transaction began, and
        those no longer due."""
        try:
            with self.env.cr.savepoint(flush=False):
                locked = self.try_lock_for_update(allow_referencing=True)
        except psycopg2.errors.SerializationFailure:
            # Another worker changed one of them: the others, one at a time.
            locked = self.browse()
            for contract in self:
                try:
                    with self.env.cr.savepoint(flush=False):
                        locked |= contract.try_lock_for_update(allow_referencing=True)
                except psycopg2.errors.SerializationFailure:
                    continue
        locked.invalidate_recordset()
        return locked.filtered_domain(self._get_renewal_charge_domain(today))

    def _renewal_invoice(self):
        """The posted invoice of this contract's automatic renewal, while it
        has something left to pay."""
        self.ensure_one()
        order = self.sudo().renewal_order_id
        if not order.renewal_is_auto:
            return self.env["account.move"]
        invoice = order.invoice_ids.filtered(
            lambda i: i.state == "posted" and i.move_type == "out_invoice"
        )[:1]
        return invoice.filtered(
            lambda i: (
                i.payment_state not in ("paid", "in_payment", "reversed")
                and i.amount_residual > 0
            )
        )

    def _prepare_renewal_charges(self, today):
        """The transactions charging these contracts' renewal invoices,
        created at once; none for a contract with nothing to charge (its due
        date is then cleared) or whose invoice has a charge made or waiting
        (never a second one)."""
        done = self.browse()
        waiting = self.browse()
        unusable = self.browse()
        live_tx = {}
        todo = []
        for contract in self.sudo():
            invoice = contract._renewal_invoice()
            token = contract.payment_token_id
            if token and (not token.active or token.provider_id.state == "disabled"):
                # The customer deleted the card (Odoo archives it), or its
                # provider was turned off: the rep follows it up.
                unusable |= contract
                continue
            if not invoice or not token:
                done |= contract
            elif live := invoice.transaction_ids.filtered(
                lambda t: t.state in LIVE_TRANSACTION_STATES
            ):
                waiting |= contract
                live_tx[contract] = live.sorted("id")[-1:]
            else:
                todo.append((contract, invoice, token))
        stop = {"renewal_payment_next_date": False}
        (done | waiting.filtered("renewal_payment_state")).sudo().write(stop)
        if unusable:
            unusable.write({**stop, "renewal_payment_state": "failed"})
            for contract in unusable:
                contract._schedule_payment_activity(
                    contract._payment_rep_env()._(
                        "Renewal card unusable: contact the customer"
                    ),
                    self.env._(
                        "The card %(card)s of contract %(name)s can no longer be "
                        "charged (removed by the customer, or its payment "
                        "provider is disabled): ask the customer to pay the "
                        "renewal invoice or to choose another card.",
                        card=contract.payment_token_id.display_name,
                        name=contract.name,
                    ),
                )
        for contract in waiting.filtered(
            lambda c: c.renewal_payment_state != "charging"
        ):
            # A charge of the invoice made otherwise (the customer paying on
            # the portal): the contract follows its answer, and a stalled one
            # goes to the rep.
            contract.write(
                {
                    **stop,
                    "renewal_payment_state": "charging",
                    "renewal_payment_tx_id": live_tx[contract].id,
                }
            )
        Transaction = self.env["payment.transaction"].sudo()
        txs = Transaction
        for contract, invoice, token in todo:
            # One create each: payment.transaction's token check reads one
            # token (its constraints are not written for a batch).
            tx = Transaction.create(
                contract._prepare_renewal_transaction_values(invoice, token)
            )
            txs |= tx
            contract.write(
                {
                    **stop,
                    "renewal_payment_state": "charging",
                    "renewal_payment_attempts": contract.renewal_payment_attempts + 1,
                    "renewal_payment_tx_id": tx.id,
                }
            )
        return txs

    def _prepare_renewal_transaction_values(self, invoice, token):
        self.ensure_one()
        return {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "amount": invoice.amount_residual,
            "currency_id": invoice.currency_id.id,
            "partner_id": invoice.partner_id.id,
            "token_id": token.id,
            "operation": "offline",
            "invoice_ids": [fields.Command.set(invoice.ids)],
        }

    # ------------------------------------------------------------------
    # The provider's answer
    # ------------------------------------------------------------------

    def _renewal_charge_answered(self):
        """Record the provider's answer to these contracts' last charges:
        paid (the invoice's payment activates the next term) with a receipt,
        or failed with the dunning e-mail and the next attempt; a charge
        still pending waits for the provider's notification. Each attempt is
        logged on its contract; the e-mails of one kind go out together."""
        answered = self.sudo().filtered(
            lambda c: (
                c.renewal_payment_state == "charging"
                and c.renewal_payment_tx_id.state in ("done", "error", "cancel")
            )
        )
        paid = answered.filtered(lambda c: c.renewal_payment_tx_id.state == "done")
        failed = answered - paid
        paid.write({"renewal_payment_state": "paid"})
        paid._message_log_batch(
            bodies={
                contract.id: self.env._(
                    "Charge %(attempt)s of invoice %(invoice)s: paid with "
                    "%(card)s (transaction %(reference)s).",
                    attempt=contract.renewal_payment_attempts,
                    invoice=tx.invoice_ids[:1].name,
                    card=tx.token_id.display_name,
                    reference=tx.reference,
                )
                for contract in paid
                for tx in [contract.renewal_payment_tx_id]
            }
        )
        send_renewal_mails(
            paid.renewal_payment_tx_id.invoice_ids,
            self.env.ref("symantec_renewals.mail_template_auto_renewal_receipt"),
        )
        if not failed:
            return
        today = fields.Date.context_today(self)
        bodies = {}
        for contract in failed:
            tx = contract.renewal_payment_tx_id
            first_failure = contract.renewal_payment_failed_date or today
            retry = policy.retry_date(
                first_failure,
                contract.company_id.auto_renew_retry_day_list(),
                contract.renewal_payment_attempts,
            )
            if retry is not None:
                retry = max(retry, today + timedelta(days=1))
            contract.write(
                {
                    "renewal_payment_state": "failed",
                    "renewal_payment_failed_date": first_failure,
                    "renewal_payment_next_date": retry,
                }
            )
            bodies[contract.id] = self.env._(
                "Charge %(attempt)s of invoice %(invoice)s with %(card)s failed "
                "(transaction %(reference)s): %(reason)s %(next)s",
                attempt=contract.renewal_payment_attempts,
                invoice=tx.invoice_ids[:1].name,
                card=tx.token_id.display_name,
                reference=tx.reference,
                reason=tx.state_message or self.env._("The card was refused."),
                next=self.env._("Next attempt on %(date)s.", date=retry)
                if retry
                else self.env._("That was the last attempt."),
            )
        failed._message_log_batch(bodies=bodies)
        send_renewal_mails(
            failed.renewal_payment_tx_id.invoice_ids,
            self.env.ref("symantec_renewals.mail_template_auto_renewal_payment_failed"),
        )
        for contract in failed.filtered(lambda c: not c.renewal_payment_next_date):
            contract._schedule_payment_failed_activity(
                contract.renewal_payment_tx_id.invoice_ids[:1]
            )

    def _schedule_payment_failed_activity(self, invoice):
        """The last retry failed: the rep follows the renewal up."""
        self.ensure_one()
        self._schedule_payment_activity(
            self._payment_rep_env()._("Renewal payment failed: contact the customer"),
            self.env._(
                "Every charge of invoice %(invoice)s failed: ask the customer to "
                "pay it or to choose another card before the end date.",
                invoice=invoice.name,
            ),
        )

    def _payment_rep(self):
        """Who follows the contract's payment up: its rep, else its team's
        leader, else the current user."""
        self.ensure_one()
        return self.user_id or self.team_id.user_id or self.env.user

    def _payment_rep_env(self):
        """The environment in the language of the contract's rep."""
        return self.with_context(lang=self._payment_rep().lang or self.env.lang).env

    def _schedule_payment_activity(self, summary, note):
        """A "Renewal payment" activity for the contract's rep, on its
        renewal opportunity, due today."""
        self.ensure_one()
        record = self.renewal_lead_id or self
        user = self._payment_rep()
        record.sudo().activity_schedule(
            "symantec_renewals.mail_activity_type_renewal_payment",
            summary=summary,
            note=note,
            user_id=user.id,
            date_deadline=fields.Date.context_today(self),
        )

    @api.model
    def _follow_up_stalled_charges(self, today, domain=None):
        """Charges with no answer from their provider
        ``_renewal_charge_stalled_days`` after they were made (a worker killed
        before the answer was recorded, a provider that never notified):
        never made again automatically, they are given to the rep once, to
        check with the provider and settle."""
        since = fields.Datetime.to_datetime(
            today - timedelta(days=self._renewal_charge_stalled_days)
        )
        stalled = self.sudo().search(
            [
                *(domain or []),
                ("renewal_payment_state", "=", "charging"),
                (
                    "renewal_payment_tx_id.state",
                    "in",
                    ("draft", "pending", "authorized"),
                ),
                ("renewal_payment_tx_id.last_state_change", "<", since),
            ]
        )
        payment_type = self.env.ref(
            "symantec_renewals.mail_activity_type_renewal_payment"
        )
        for contract in stalled:
            record = contract.renewal_lead_id or contract
            if record.activity_ids.filtered(
                lambda a: a.activity_type_id == payment_type
            ):
                continue
            tx = contract.renewal_payment_tx_id
            contract._schedule_payment_activity(
                contract._payment_rep_env()._(
                    "Renewal charge without answer: check it"
                ),
                self.env._(
                    "Charge %(reference)s of invoice %(invoice)s (%(provider)s) "
                    "has had no answer since %(date)s. It is not made again "
                    "automatically: check it with the payment provider, then "
                    "mark the invoice paid or the transaction failed.",
                    reference=tx.reference,
                    invoice=tx.invoice_ids[:1].name,
                    provider=tx.provider_id.name,
                    date=fields.Date.to_date(tx.last_state_change),
                ),
            )

    def _renewal_paid_otherwise(self):
        """The renewal invoice is paid another way (pay-now link, transfer)
        after a failed charge: no further attempt; the dunning recovered
        it."""
        todo = self.filtered(lambda c: c.renewal_payment_state in ("failed", False))
        recovered = todo.filtered("renewal_payment_failed_date")
        recovered.sudo().write(
            {"renewal_payment_state": "paid", "renewal_payment_next_date": False}
        )
        (todo - recovered).sudo().write({"renewal_payment_next_date": False})
