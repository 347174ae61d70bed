"""The rule catalogue, its language and its two lowerings (numpy evaluator, SQL compiler).

The declaration modules (syntax, catalogue, to_sql) import neither pandas, pandera nor GX.
"""

from cuadra.rules.catalogue import BUILTINS, KINDS, BuiltinRule, Rule, load_catalogue
from cuadra.rules.syntax import parse_expr, unparse

__all__ = ["BUILTINS", "KINDS", "BuiltinRule", "Rule", "load_catalogue", "parse_expr", "unparse"]
