"""A class: each public method becomes <Class>_<method> (twin of calculator.js)."""

from typing import Any


class Calculator:
    def __init__(self, base: Any = 0) -> None:
        self.base = base if isinstance(base, int | float) and not isinstance(base, bool) else 0

    def multiply(self, a: Any, b: Any) -> Any:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
            raise TypeError('calculator_multiply expects two numbers, e.g. {"args": [6, 7]}')
        return a * b

    def total(self, *values: Any) -> Any:
        return self.base + sum(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
