"""`.syncignore` pattern semantics (gitignore-style), table-driven."""

from __future__ import annotations

import pytest

from syncer.adapters.files.ignore import IgnoreRules

RULES = IgnoreRules(
    """
# comment
drafts/
*.tmp.json
/top.json
team/old.json
!keep.tmp.json
a/**/z.json
**/gen/*.json
logs/**
[ab]?.json
\\#hash.json
"""
)


@pytest.mark.parametrize(
    ("path", "is_dir", "ignored"),
    [
        ("drafts", True, True),
        ("x/drafts", True, True),
        ("drafts", False, False),  # trailing "/" matches directories only
        ("x/y.tmp.json", False, True),
        ("keep.tmp.json", False, False),  # re-included by "!"
        ("x/keep.tmp.json", False, False),
        ("top.json", False, True),
        ("x/top.json", False, False),  # anchored by the leading "/"
        ("team/old.json", False, True),
        ("x/team/old.json", False, False),  # anchored by the inner "/"
        ("a/z.json", False, True),
        ("a/b/c/z.json", False, True),
        ("b/z.json", False, False),
        ("gen/x.json", False, True),
        ("p/q/gen/x.json", False, True),
        ("logs/a/b.json", False, True),
        ("logs", True, False),
        ("a1.json", False, True),
        ("c1.json", False, False),
        ("ab1.json", False, False),
        ("#hash.json", False, True),
        ("ok.json", False, False),
    ],
)
def test_patterns(path: str, is_dir: bool, ignored: bool) -> None:
    assert RULES.ignored(path, is_dir=is_dir) is ignored


def test_empty_rules_ignore_nothing() -> None:
    rules = IgnoreRules("\n# only a comment\n")
    assert not rules
    assert not rules.ignored("x.json", is_dir=False)
