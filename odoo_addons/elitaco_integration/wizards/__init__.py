from . import integration_binding_rebind
from . import integration_import_confirm
