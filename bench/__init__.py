from tests.odoo_server import OdooInstallation


def odoo_installation() -> OdooInstallation:
    """The Odoo 18 the benchmarks run (ODOO_SRC, ODOO_PYTHON); without one, exit saying how."""
    installation = OdooInstallation.from_env()
    if installation is None:
        raise SystemExit('set ODOO_SRC and ODOO_PYTHON: eval "$(../shared/odoo/setup)"')
    return installation
