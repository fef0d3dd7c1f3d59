from . import integration_woo_stock
from . import mrp_bom
