"""deploy/prometheus/alerts.yml and deploy/grafana's dashboard: valid for promtool, each alert
firing in its rule test (alerts.test.yml) on what it is for, and every metric they query one the
relay really exposes, so a renamed metric cannot leave an alert silent."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from relay.ingress.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "elitaco-dashboard.json"
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")


def promtool(*args: str) -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("no promtool here (Debian: apt-get install prometheus)")
    run = subprocess.run(
        [path, *args], check=False, capture_output=True, text=True, cwd=RULES.parent
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def exposed() -> set[str]:
    families = Metrics().registry.collect()
    return {family.name + suffix for family in families for suffix in SUFFIXES}


def queried(expression: str) -> set[str]:
    return set(re.findall(r"\b(relay_[a-z_]+)", expression))


def test_promtool_checks_the_rules_and_their_tests_pass() -> None:
    assert "SUCCESS: 7 rules found" in promtool("check", "rules", RULES.name)
    assert "SUCCESS" in promtool("test", "rules", RULE_TESTS.name)


def test_every_alert_is_tested_and_queries_real_metrics() -> None:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    tested = {
        case["alertname"]
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert {rule["alert"] for rule in rules} == tested, "every alert is shown to fire"
    names = exposed()
    for rule in rules:
        assert queried(rule["expr"]) <= names, rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]


def test_the_dashboard_queries_real_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = set().union(*map(queried, expressions))
    assert used <= exposed()
    assert {"relay_events_applied_total", "relay_event_lag_seconds_bucket"} <= used
    assert "relay_queue_oldest_age_seconds" in used
