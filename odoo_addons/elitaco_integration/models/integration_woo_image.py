import base64
import binascii

from odoo import _, api, models
from odoo.exceptions import UserError


class IntegrationWooImage(models.AbstractModel):
    """A product's main image, as the workers read it from WooCommerce."""

    _name = "integration.woo.image"
    _description = "WooCommerce product images into Odoo"

    @api.model
    def _image(self, event, record, binding, data: dict, state: dict) -> tuple:
        """(changes, warnings): the main image the workers read (`fetched.image`) becomes the
        record's, once per version; an image removed in WooCommerce is removed here. Without
        a reading, the image Odoo has stays."""
        fetched = (event.payload or {}).get("fetched") or {}
        image, error = fetched.get("image"), fetched.get("image_error")
        warnings = [_("Image not taken: %s", error)] if error else []
        applied = binding.woo_image if binding else False
        if image and image.get("version") != applied:
            try:
                if base64.b64decode(image["content"])[:1] in (b"<", b""):
                    raise ValueError(_("markup (SVG, HTML) is not taken as a product image"))
                with self.env.cr.savepoint():
                    record.image_1920 = image["content"]
                    record.flush_recordset(["image_1920"])
            except (UserError, ValueError, binascii.Error) as exc:
                return [], [
                    *warnings,
                    _("Image %(src)s not taken: %(error)s", src=image.get("src"), error=exc),
                ]
            state["woo_image"] = image["version"]
            return [_("Image: %s", image.get("src"))], warnings
        has_image = any(
            isinstance(one, dict) and one.get("src")
            for one in (data.get("images") or [data.get("image")])
        )
        if applied and not has_image:
            record.image_1920 = False
            state["woo_image"] = False
            return [_("Image removed, as in WooCommerce")], warnings
        return [], warnings
