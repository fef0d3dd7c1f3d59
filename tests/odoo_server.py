"""A real Odoo 18 with elitaco_integration, started by the tests themselves.

A fresh database with sale_management, sale_stock and the module; an Integration User and an
Integration Manager, each with an API key; the server on a free loopback port. The tests reach
it over HTTP only: the workers as the Integration User, the test's own set-up and checks through
Odoo's external API (`/jsonrpc`, execute_kw) as the manager, as a back-office user would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.processes import ROOT
from tests.redis_server import free_port

# stock_delivery: carriers and tracking numbers on deliveries, as a shop that ships has them.
MODULES = "sale_management,sale_stock,stock_delivery,elitaco_integration"
PROVISIONED = "ELITACO_PROVISIONED "  # the line of PROVISION_SCRIPT's answer
ADMIN_UID, ADMIN_PASSWORD = 2, "admin"  # a new database's administrator

# A German shop, as the test store is: installing accounting for a company in Germany brings
# Odoo's German localisation (l10n_de, SKR03, EUR, 19 % and 7 % VAT).
SHOP_COMPANY = "Elitaco Test Shop"
COMPANY_SCRIPT = f"""
env.company.write({{"country_id": env.ref("base.de").id, "name": {SHOP_COMPANY!r}}})
env.cr.commit()
"""

# Runs in `odoo-bin shell` on the new database: the users the tests act as (the workers, the
# relay's read-only timeline key, the integration manager).
PROVISION_SCRIPT = """
import json
from datetime import timedelta
from odoo import fields

def user(login, groups):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login, "login": login, "email": f"{login}@example.com",
        "groups_id": [(6, 0, [env.ref(group).id for group in groups])],
    })

worker = user("rq-worker", ["base.group_user", "elitaco_integration.group_integration_user"])
reader = user("relay-timeline", ["base.group_user", "elitaco_integration.group_integration_reader"])
manager = user("integration-manager", [
    "base.group_user", "sales_team.group_sale_manager", "stock.group_stock_manager",
    "elitaco_integration.group_integration_manager",
])
env["product.product"].create({
    "name": "Linen Shirt", "default_code": "E2E-SHIRT", "list_price": 19.99, "is_storable": True,
})
expires = fields.Datetime.now() + timedelta(days=30)
keys = env["res.users.apikeys"]
answer = {
    "worker_login": worker.login,
    "worker_key": keys.with_user(worker)._generate(None, "relay workers", expires),
    "reader_key": keys.with_user(reader)._generate(None, "relay timeline API", expires),
    "manager_uid": manager.id,
    "manager_key": keys.with_user(manager)._generate(None, "tests", expires),
}
env.cr.commit()
print("ELITACO_PROVISIONED " + json.dumps(answer))
"""


class OdooRPCError(Exception):
    """Odoo's external API answered with an error."""


@dataclass
class OdooInstallation:
    src: Path
    python: Path

    @classmethod
    def from_env(cls) -> OdooInstallation | None:
        src, python = os.environ.get("ODOO_SRC"), os.environ.get("ODOO_PYTHON")
        if not src:
            return None
        return cls(Path(src), Path(python or "python3"))


class OdooServer:
    def __init__(self, installation: OdooInstallation, workdir: Path) -> None:
        self.installation = installation
        self.workdir = workdir
        self.db = f"elitaco_e2e_{uuid.uuid4().hex[:10]}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "odoo.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.worker_login = self.worker_key = self.reader_key = self.manager_key = ""
        self.manager_uid = 0

    # ------------------------------------------------------------------ life cycle

    def _command(self, *extra: str) -> list[str]:
        src = self.installation.src
        addons = [str(path) for path in (src / "odoo" / "addons", src / "addons") if path.is_dir()]
        addons.append(str(ROOT / "odoo_addons"))
        return [
            str(self.installation.python),
            str(self.installation.src / "odoo-bin"),
            *extra,
            "--db_host",
            os.environ.get("PGHOST", "127.0.0.1"),
            "--db_user",
            os.environ.get("ODOO_DB_USER", "odoo"),
            # The one database it serves; no --db-filter, as deployed (docker-compose.yml).
            "--database",
            self.db,
            "--addons-path",
            ",".join(addons),
            "--data-dir",
            str(self.workdir / "data"),
            "--without-demo",
            "all",
        ]

    def create_database(self) -> None:
        """Install the modules on a fresh database, then make the users and their keys."""
        self._run(self._command("--init", "base", "--stop-after-init", "--log-level", "warn"))
        self._shell(COMPANY_SCRIPT)
        self._run(self._command("--init", MODULES, "--stop-after-init", "--log-level", "warn"))
        output = self._shell(PROVISION_SCRIPT)
        line = next(line for line in output.splitlines() if line.startswith(PROVISIONED))
        answer = json.loads(line.removeprefix(PROVISIONED))
        self.worker_login = answer["worker_login"]
        self.worker_key = answer["worker_key"]
        self.reader_key = answer["reader_key"]
        self.manager_uid = answer["manager_uid"]
        self.manager_key = answer["manager_key"]

    def start(self, workers: int = 0, log_level: str = "warn") -> None:
        """Serve on the port; `workers`: Odoo's --workers (0: threaded, one process); at
        `log_level` info Odoo logs each request with its query count and times."""
        env = dict(os.environ)
        if workers:
            env["PYTHONPATH"] = str(self._gevent_metadata())
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self._command(
                    "--http-interface",
                    "127.0.0.1",
                    "--http-port",
                    str(self.port),
                    "--max-cron-threads",
                    "0",
                    "--workers",
                    str(workers),
                    "--gevent-port",  # its own, so that two servers can run at once
                    str(free_port()),
                    "--log-level",
                    log_level,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{self.url}/web/health", timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or still loading the registry
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Odoo did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def _gevent_metadata(self) -> Path:
        """A folder of metadata that lets the prefork server's gevent process start.

        With --workers, Odoo runs a gevent process beside its workers. In ../shared/odoo's
        environment, gevent's plugin loader (pkg_resources) cannot find zope.interface and
        zope.event under their new wheel names (zope_interface-8.7.dist-info), so that process
        died at start and Odoo started it again, twice a second, taking most of a core from
        everything else (a benchmark's prefork rows too). The same metadata under the names
        pkg_resources looks for, on this Odoo's PYTHONPATH alone, lets it start; nothing is
        installed or changed in the shared environment."""
        folder = self.workdir / "gevent-metadata"
        venv = self.installation.python.parent.parent
        for installed in venv.glob("lib/python3*/site-packages/zope_*.dist-info"):
            fields = dict(
                line.split(": ", 1)
                for line in (installed / "METADATA").read_text().splitlines()
                if line.startswith(("Name: ", "Version: "))
            )
            named = folder / f"{fields['Name']}-{fields['Version']}.dist-info"
            named.mkdir(parents=True, exist_ok=True)
            (named / "METADATA").write_text(
                f"Metadata-Version: 2.1\nName: {fields['Name']}\nVersion: {fields['Version']}\n"
            )
        return folder

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def drop_database(self) -> None:
        subprocess.run(
            [
                "dropdb",
                "--if-exists",
                "--force",
                "-h",
                os.environ.get("PGHOST", "127.0.0.1"),
                "-U",
                os.environ.get("ODOO_DB_USER", "odoo"),
                self.db,
            ],
            check=False,
            capture_output=True,
        )

    def log_tail(self, characters: int = 6000) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-characters:]

    def _shell(self, script: str) -> str:
        return self._run(self._command("shell", "--no-http", "--log-level", "warn"), stdin=script)

    def _run(self, command: list[str], stdin: str | None = None) -> str:
        result = subprocess.run(
            command, input=stdin, capture_output=True, text=True, timeout=900, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command[:4])} ... failed ({result.returncode}):\n"
                f"{(result.stdout + result.stderr)[-6000:]}"
            )
        return result.stdout

    # ------------------------------------------------------------------ the external API

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """execute_kw as the Integration Manager (a back-office user), over HTTP."""
        return self._execute_kw(self.manager_uid, self.manager_key, model, method, args, kwargs)

    def shop_bank_journal_id(self) -> int:
        """The shop's company's bank journal. Not just any bank journal: a test of several
        stores adds a company, whose journals the manager then sees too."""
        domain = [("type", "=", "bank"), ("company_id.name", "=", SHOP_COMPANY)]
        return self.search_read("account.journal", domain, ["id"], limit=1)[0]["id"]

    def credit_note_of_line(self, invoice_id: int, woo_line_id: int) -> int:
        """What a person does in Odoo to give back one order line: a credit note from the
        invoice (Credit Note), with the lines of the other order lines removed, posted."""
        context = {"active_model": "account.move", "active_ids": [invoice_id]}
        [invoice] = self.search_read("account.move", [("id", "=", invoice_id)], ["journal_id"])
        wizard = self.execute(
            "account.move.reversal",
            "create",
            [{"reason": "given back", "journal_id": invoice["journal_id"][0]}],
            context=context,
        )
        wizard = wizard[0] if isinstance(wizard, list) else wizard
        action = self.execute("account.move.reversal", "refund_moves", [wizard], context=context)
        others = self.search_read(
            "account.move.line",
            [
                ("move_id", "=", action["res_id"]),
                ("display_type", "=", "product"),
                ("sale_line_ids.woo_line_id", "!=", woo_line_id),
            ],
            ["id"],
        )
        self.execute(
            "account.move",
            "write",
            [action["res_id"]],
            {"invoice_line_ids": [(2, line["id"]) for line in others]},
        )
        self.execute("account.move", "action_post", [action["res_id"]])
        return action["res_id"]

    def set_param(self, key: str, value: str) -> None:
        """A system parameter (Settings), as the administrator sets it."""
        self._execute_kw(
            ADMIN_UID, ADMIN_PASSWORD, "ir.config_parameter", "set_param", (key, value), {}
        )

    def get_param(self, key: str) -> str | None:
        return (
            self._execute_kw(
                ADMIN_UID, ADMIN_PASSWORD, "ir.config_parameter", "get_param", (key,), {}
            )
            or None
        )

    def _execute_kw(self, uid: int, password: str, model: str, method: str, args, kwargs) -> Any:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, uid, password, model, method, list(args), kwargs],
            },
        }
        answer = requests.post(f"{self.url}/jsonrpc", json=body, timeout=120).json()
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise OdooRPCError(f"{data.get('name')}: {data.get('message')}")
        return answer.get("result")  # Odoo leaves out a None result

    def search_read(
        self, model: str, domain: list, fields: list[str], **kwargs: Any
    ) -> list[dict[str, Any]]:
        return self.execute(model, "search_read", domain, fields=fields, **kwargs)
