from odoo import _, api, models

from ..envelope import EventWaiting, Outcome
from ..tools import applied_state, stale_outcome, staleness, text, write_changes

ADDRESS_FIELDS = ("street", "street2", "city", "zip", "country_id", "state_id")


class IntegrationWooCustomer(models.AbstractModel):
    _name = "integration.woo.customer"
    _description = "WooCommerce customers into Odoo partners"

    @api.model
    def _upsert(self, event, data: dict) -> Outcome:
        """woo.customer.created / updated / restored."""
        billing = data.get("billing") or {}
        email = (data.get("email") or billing.get("email") or "").strip()
        values = self._contact_values(
            billing
            | {
                "first_name": data.get("first_name") or billing.get("first_name"),
                "last_name": data.get("last_name") or billing.get("last_name"),
                "email": email,
            }
        )
        self._lock(event.store, data["id"], email)
        binding = self.env["integration.binding"]._binding(event.store, "res.partner", data["id"])
        state = applied_state(data, event.received_at)
        verdict = staleness(
            binding, state["woo_date_modified"], state["woo_state_digest"], event.received_at
        )
        if verdict:
            what = _("WooCommerce customer %s", data["id"])
            return stale_outcome(
                binding._record(),
                verdict,
                what,
                state["woo_date_modified"],
                binding.woo_date_modified,
            )
        partner, found_by, candidates = self._find(event.store, data["id"], email)
        changes, warnings = [], []
        found = "matched" if partner and not binding else ""
        if partner:
            # WooCommerce sends empty fields for what a customer never filled in: those never
            # wipe what Odoo knows.
            changed = write_changes(partner, {key: value for key, value in values.items() if value})
            if changed:
                changes.append(
                    _(
                        "Updated %(partner)s: %(fields)s",
                        partner=partner.display_name,
                        fields=", ".join(changed),
                    )
                )
            message = _(
                "Customer %(id)s is %(partner)s (found by %(how)s).",
                id=data["id"],
                partner=partner.display_name,
                how=found_by,
            )
        else:
            partner = self._new_partner(values | {"woo_customer": True})
            found = "unmatched" if candidates else "created"
            message = _(
                "Customer %(id)s created as %(partner)s.",
                id=data["id"],
                partner=partner.display_name,
            )
        if candidates:
            warnings.append(self._ambiguity(email, candidates, partner))
        self.env["integration.binding"]._bind(event.store, partner, data["id"], state=state)
        employer = partner.parent_id
        company = self.env["integration.woo.business"]._attach_company(
            partner, billing, data.get("meta_data"), warnings
        )
        if company and company != employer:
            changes.append(_("Buys for %s.", company.display_name))
        delivery = self._address_contact(partner, data.get("shipping") or {}, "delivery")
        if delivery != partner:
            changes.append(_("Delivery address: %s", delivery.display_name))
        return Outcome(
            message=message, record=partner, changes=changes, warnings=warnings, found=found
        )

    @api.model
    def _order_partners(
        self,
        store: str,
        order: dict,
        import_id: int | None = None,
        warnings: list[str] | None = None,
    ) -> tuple:
        """(customer, invoice address, delivery address) for an order; guests too. The invoice
        address is the order's billing address, the delivery address its shipping address:
        contacts of the customer when they differ from the customer's own address.

        An order of an import whose customer the same import read but has not applied yet
        waits for it: found by the billing e-mail instead, the customer would be bound to
        whoever that e-mail names, not to the partner its own account e-mail matches."""
        billing = order.get("billing") or {}
        email = (billing.get("email") or "").strip()
        customer_id = order.get("customer_id") or 0
        # Two orders of one new customer create one partner: the second waits, then retries.
        self._lock(store, customer_id, email)
        if customer_id and import_id:
            self._wait_for_imported_customer(store, import_id, order, customer_id)
        partner, _found_by, _candidates = self._find(store, customer_id, email)
        if not partner:
            partner = self._new_partner(self._contact_values(billing) | {"woo_customer": True})
        if customer_id:
            self.env["integration.binding"]._bind(store, partner, customer_id)
        self.env["integration.woo.business"]._attach_company(
            partner, billing, order.get("meta_data"), warnings if warnings is not None else []
        )
        invoice = self._address_contact(partner, billing, "invoice")
        delivery = self._address_contact(partner, order.get("shipping") or {}, "delivery")
        return partner, invoice, delivery

    @api.model
    def _wait_for_imported_customer(
        self, store: str, import_id: int, order: dict, customer_id: int
    ) -> None:
        pending = self.env["integration.import.line"].search_count(
            [
                ("import_id", "=", import_id),
                ("resource", "=", "customer"),
                ("woo_id", "=", customer_id),
                ("outcome", "=", "waiting"),
            ],
            limit=1,
        )
        if not pending or self.env["integration.binding"]._find(store, "res.partner", customer_id):
            return
        raise EventWaiting(
            _(
                "Order %(order)s waits for its customer %(customer)s, which this import read "
                "and has not applied yet: retried, or replay it once the customer is there.",
                order=order.get("number") or order.get("id"),
                customer=customer_id,
            )
        )

    @api.model
    def _new_partner(self, values: dict):
        """A customer the workers' user does not follow, in the store's company (the current
        one while its event is applied); an address in its contact's company, without a
        "created" note: an address is read on the orders that use it, not in its own chatter."""
        parent = self.env["res.partner"].browse(values.get("parent_id"))
        company = parent.company_id if parent else self.env.company
        partners = self.env["res.partner"].with_context(
            mail_create_nosubscribe=True, mail_create_nolog=bool(parent)
        )
        return partners.create(values | {"company_id": company.id}).with_env(self.env)

    @api.model
    def _lock(self, store: str, customer_id: int, email: str) -> None:
        key = f"customer:{store}:{customer_id}" if customer_id else f"email:{email.lower()}"
        self.env["integration.resource.lock"]._acquire(key)

    @api.model
    def _find(self, store: str, customer_id: int, email: str) -> tuple:
        """(partner, how it was found, the contacts an e-mail left it ambiguous between).

        By binding, else by e-mail among the integration's own customers. WooCommerce does not
        verify e-mails, so other contacts are taken only when Settings › Customer matching
        says so (a first sync into an Odoo that has the shop's customers already), and never
        a user's (archived or not), a vendor's, a company's own, a contact person of a company
        that is no WooCommerce customer, nor one of several that share the e-mail.
        """
        partners = self.env["res.partner"]
        if customer_id:
            partner = self.env["integration.binding"]._find(store, "res.partner", customer_id)
            if partner:
                return partner, _("binding"), partners
        if not email:
            return partners, "", partners
        own = self._by_email(email, [("woo_customer", "=", True)])
        if own:
            return (
                own.filtered(lambda contact: not contact.parent_id)[:1] or own[:1],
                _("email"),
                partners,
            )
        if self.env["integration.store"]._for_key(store).customer_match != "email":
            return partners, "", partners
        companies = self.env["res.company"].sudo().search([]).partner_id
        existing = self._by_email(
            email, [("supplier_rank", "=", 0), ("id", "not in", companies.ids)]
        )
        existing -= self._under_other_companies(existing)
        # A company and its contact person often share an address: the company is the one.
        candidates = existing.filtered(lambda contact: not contact.parent_id) or existing
        if len(candidates) > 1:
            return partners, "", candidates
        if candidates:
            candidates.woo_customer = True  # found by its e-mail from now on, as our own
        return candidates, _("email"), partners

    @api.model
    def _by_email(self, email: str, domain: list):
        """The contacts with the e-mail that no user, active or archived, has as its own, of
        the store's company or of none (shared by the companies)."""
        found = self.env["res.partner"].search(
            [
                ("email", "=ilike", email.strip()),
                ("type", "=", "contact"),
                ("company_id", "in", [False, self.env.company.id]),
                *domain,
            ],
            order="id",
        )
        if not found:
            return found
        # Archiving a user leaves its contact active, and `user_ids = False` sees active users
        # only: the users are read archived ones included.
        users = self.env["res.users"].sudo().with_context(active_test=False)
        with_login = users.search([("partner_id", "in", found.ids)]).partner_id.ids
        return found.filtered(lambda contact: contact.id not in with_login)

    @api.model
    def _under_other_companies(self, partners):
        """The contact persons among `partners` whose company (or parent contact) is not a
        WooCommerce customer: neither marked as one nor bound to one (a vendor's people)."""
        children = partners.filtered("parent_id")
        if not children:
            return children
        heads = children.commercial_partner_id
        stores = self.env["integration.binding"]._bound_stores(heads)
        customers = heads.filtered(lambda head: head.woo_customer or stores[head])
        return children.filtered(lambda child: child.commercial_partner_id not in customers)

    @api.model
    def _ambiguity(self, email: str, candidates, partner) -> str:
        return _(
            "Several contacts have the e-mail %(email)s (%(contacts)s), so none of them was taken "
            "and %(partner)s was made. To use one of them instead, re-bind the customer under "
            "Integration › Configuration › Bindings.",
            email=email,
            contacts=", ".join(candidates.mapped("display_name")),
            partner=partner.display_name,
        )

    @api.model
    def _contact_values(self, address: dict) -> dict:
        name = " ".join(
            filter(None, (text(address.get("first_name")), text(address.get("last_name"))))
        )
        company = text(address.get("company"))  # made a company contact of its own
        values = {
            "name": name or company or (address.get("email") or "").strip() or _("Guest"),
            "email": (address.get("email") or "").strip() or False,
            "phone": (address.get("phone") or "").strip() or False,
        }
        values.update(self._address_values(address))
        return {key: value for key, value in values.items() if value or key in ADDRESS_FIELDS}

    @api.model
    def _address_values(self, address: dict) -> dict:
        country_id, state_id = self._country_and_state(
            (address.get("country") or "").upper(), (address.get("state") or "").upper()
        )
        return {
            "street": text(address.get("address_1")) or False,
            "street2": text(address.get("address_2")) or False,
            "city": text(address.get("city")) or False,
            "zip": (address.get("postcode") or "").strip() or False,
            "country_id": country_id,
            "state_id": state_id,
        }

    @api.model
    def _country_and_state(self, country_code: str, state_code: str) -> tuple:
        """(country id, state id) by their codes, False where unknown. An order reads its
        billing and shipping addresses two or three times: looked up once per transaction."""
        known = self.env.cr.cache.setdefault("elitaco_country_and_state", {})
        if (country_code, state_code) not in known:
            country = self.env["res.country"]
            if country_code:
                country = country.search([("code", "=", country_code)], limit=1)
            state = self.env["res.country.state"]
            if country and state_code:
                state = state.search(
                    [("country_id", "=", country.id), ("code", "=", state_code)], limit=1
                )
            known[country_code, state_code] = (country.id or False, state.id or False)
        return known[country_code, state_code]

    @api.model
    def _address_contact(self, partner, address: dict, kind: str):
        """The address as an invoice or delivery contact of the partner, when it differs from
        the partner's own (and from its contacts of that kind)."""
        values = self._address_values(address)
        if not values["street"] or self._same_address(partner, values):
            return partner
        for child in partner.child_ids.filtered(lambda contact: contact.type == kind):
            if self._same_address(child, values):
                return child
        name = (
            " ".join(
                filter(None, (text(address.get("first_name")), text(address.get("last_name"))))
            )
            or partner.name
        )
        return self._new_partner(
            values
            | {
                "type": kind,
                "parent_id": partner.id,
                "name": name,
                "phone": (address.get("phone") or "").strip() or False,
            }
        )

    @staticmethod
    def _same_address(partner, address: dict) -> bool:
        def value(field):
            current = partner[field]
            return current.id if hasattr(current, "id") else (current or False)

        return all(value(field) == (address[field] or False) for field in ADDRESS_FIELDS)
