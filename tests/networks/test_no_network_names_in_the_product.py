"""Outside `networks/`, no product code decides anything by a network's name.

What differs between networks is read from their adapter classes (connect kind, app
settings, batch sizes, metrics readers, limits). A comparison with a network's name
in a view, service, selector or template would be a place that a new network
silently misses.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from networks import ADAPTERS

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["advocacy", "analytics", "config", "content", "employees"]
NAMES = set(ADAPTERS)


def _python_files():
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _names_in(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_names_in(element) for element in node.elts)) if node.elts else set()
    return set()


def branches_on_a_name(source: str) -> list[tuple[int, str]]:
    """(line, name) of every comparison, match or query filter with a network's name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                found += [(node.lineno, name) for name in _names_in(operand)]
        elif isinstance(node, ast.match_case) and isinstance(node.pattern, ast.MatchValue):
            found += [(node.pattern.lineno, name) for name in _names_in(node.pattern.value)]
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("network"):
            # .filter(network="x"), .exclude(network__in=[...])
            found += [(node.value.lineno, name) for name in _names_in(node.value)]
    return found


TEMPLATE_BRANCH = re.compile(r"{%\s*(?:if|elif)\b[^%]*[\"'](" + "|".join(map(re.escape, NAMES)) + r")[\"'][^%]*%}")


def test_the_check_finds_the_branches_it_is_meant_to_find():
    source = (
        'if network == "mastodon": pass\n'
        'ok = profile.network in ("x", "linkedin")\n'
        "match n:\n"
        '    case "bluesky": pass\n'
        'rows = rows.exclude(network="facebook")\n'
    )
    assert sorted(branches_on_a_name(source)) == [
        (1, "mastodon"),
        (2, "linkedin"),
        (2, "x"),
        (4, "bluesky"),
        (5, "facebook"),
    ]
    assert TEMPLATE_BRANCH.search('{% if share.network == "facebook" %}')


def test_no_product_module_branches_on_a_network_name():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in _python_files()
        for line, name in branches_on_a_name(path.read_text())
    ]
    assert offenders == []


def test_no_template_branches_on_a_network_name():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in TEMPLATE_BRANCH.finditer(path.read_text())
    ]
    assert offenders == []
