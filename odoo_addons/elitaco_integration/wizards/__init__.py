from . import integration_binding_rebind
