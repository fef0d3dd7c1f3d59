"""The README and the documentation site (docs/, mkdocs.yml) say what the code does: the two
commands a newcomer runs, every environment variable and Odoo setting, menus that exist, and no
link that leaves the repository. `mkdocs build --strict` (scripts/test) checks the links."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "odoo_addons" / "elitaco_integration"
README = (ROOT / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in (ROOT / "docs").glob("*.md")}
MODULE_README = {path.name: path.read_text() for path in (MODULE / "readme").glob("*.md")}


def test_readme_keeps_the_two_commands_of_a_fresh_machine() -> None:
    assert "python3 scripts/init-env && docker compose up -d" in README
    assert "\nbash scripts/test\n" in README
    assert len(README.splitlines()) <= 160, "the README's details belong in docs/"


def test_no_link_leaves_the_repository() -> None:
    for name, text in {"README.md": README, **DOCS, **MODULE_README}.items():
        assert "DESIGN.md" not in text, name
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if name == "README.md":
                assert target.startswith(("docs/", "http")), (name, target)
            else:
                assert not target.startswith("../"), (name, target)


def test_every_page_is_in_the_sites_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert config["docs_dir"] == "docs"
    listed = set()
    for entry in config["nav"]:
        for value in entry.values():
            listed |= (
                {next(iter(item.values())) for item in value}
                if isinstance(value, list)
                else {value}
            )
    assert listed == set(DOCS)


def test_every_environment_variable_is_in_the_configuration_page() -> None:
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    page = DOCS["configuration.md"]
    assert [name for name in names if f"`{name}`" not in page] == []


def settings_labels() -> set[str]:
    """What Settings › Integration shows: each setting's title (its string, else its field's),
    and the label of each field shown with one."""
    tree = ast.parse((MODULE / "models" / "res_config_settings.py").read_text())
    fields = {
        node.targets[0].id: keyword.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        for keyword in node.value.keywords
        if keyword.arg == "string"
    }
    view = ET.parse(MODULE / "views" / "res_config_settings_views.xml")
    labels = set()
    for setting in view.iter("setting"):
        shown = [field.get("name") for field in setting.iter("field")]
        labels.add(setting.get("string") or fields[shown[0]])
        for label in setting.iter("label"):
            labels.add(label.get("string") or fields[label.get("for")])
    return labels


def test_every_odoo_setting_is_in_the_configuration_page() -> None:
    page = DOCS["configuration.md"]
    assert [label for label in sorted(settings_labels()) if label not in page] == []


def menu_paths() -> set[tuple[str, ...]]:
    """Every menu's path from the Integration root, as a person reads it."""
    menus = {}
    for item in ET.parse(MODULE / "views" / "integration_menus.xml").iter("menuitem"):
        menus[item.get("id")] = (item.get("name"), item.get("parent"))

    def path(menu_id: str) -> tuple[str, ...]:
        name, parent = menus[menu_id]
        return (*path(parent), name) if parent in menus else (name,)

    return {path(menu_id) for menu_id in menus}


def test_the_integration_menus_named_exist() -> None:
    """Wherever the README, the site or the module's readme/ names a menu of the app
    ('Integration › Configuration › Value maps › Tax rates', 'Integration › Dead letters'), it
    is one; 'Settings › Integration › …' is the Settings page, not the app."""
    paths = [" › ".join(path) for path in menu_paths() if len(path) > 1]
    texts = {"README.md": README, **DOCS, **MODULE_README}
    for name, text in texts.items():
        text = re.sub(r"\s+", " ", text)
        for found in re.finditer(r"(?<!Settings › )Integration › (\w+)", text):
            rest = text[found.start() :]
            named = [path for path in paths if rest.startswith(path)]
            assert named, (name, rest[:60])
            if found.group(1) == "Configuration":
                assert any(path.count(" › ") >= 2 for path in named), (name, rest[:60])
