from odoo import api, models

ORIGIN_NOTE = "mail.message_origin_link"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """While the workers apply WooCommerce's changes, a message Odoo sends in their user's
        name (the salesperson told an order is assigned to them, an activity's assignee...)
        that would have no sender's e-mail is sent by OdooBot instead, as Odoo's own scheduled
        actions send theirs: the workers' user needs no e-mail address.

        Odoo refuses such a message ("Unable to send message, please configure the sender's
        email address") unless as superuser. What it only logs (raise_on_email=False: tracking
        values) and a message given another author keep their author, as under superuser."""
        if not raise_on_email or not self.env.context.get("elitaco_from_woo"):
            return super()._message_compute_author(author_id, email_from, raise_on_email)
        author, sender = super()._message_compute_author(author_id, email_from, False)
        if sender or author != self.env.user.partner_id.id:
            return author, sender
        odoobot = self.env.ref("base.partner_root").sudo()
        return odoobot.id, odoobot.email_formatted

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """An imported order and its delivery do not make their customer a follower (Odoo
        subscribes them at confirmation and at the delivery's creation): nobody meant to write
        to a customer about their history. Colleagues (an activity's assignee) still follow."""
        if partner_ids and self.env.context.get("elitaco_history_import"):
            partners = self.env["res.partner"].sudo().browse(partner_ids)
            partner_ids = partners.filtered(lambda partner: partner.user_ids).ids
        return super().message_subscribe(partner_ids, subtype_ids)

    def message_post_with_source(self, source_ref, *args, **kwargs):
        """An import's delivery has no "This transfer has been created from" note: its Source
        Document field says so already."""
        if source_ref == ORIGIN_NOTE and self.env.context.get("elitaco_history_import"):
            return self.env["mail.message"]
        return super().message_post_with_source(source_ref, *args, **kwargs)
