from . import test_ledger
from . import test_concurrency
from . import test_order_sync
from . import test_customer_product
from . import test_contract_examples
from . import test_settings_security
from . import test_controller
from . import test_ui
