{
    "name": "Elitaco WooCommerce Integration: kits",
    "summary": "Stock pushed to WooCommerce for a kit is what its components allow",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Elitaco",
    "website": "https://github.com/elitaco/elitaco-integration",
    "license": "LGPL-3",
    "depends": ["elitaco_integration", "mrp"],
    "auto_install": True,
    "installable": True,
}
