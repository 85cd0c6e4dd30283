"""``String(number)`` as JavaScript writes it (ECMA-262 Number::toString), for the server and the agent."""

from __future__ import annotations

import math

import pytest

from navai.functions._jscompat import js_number_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (600, "600"),
        (0.5, "0.5"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (2.0**60, "1152921504606847000"),
        (123456789012345680000.0, "123456789012345680000"),
        (math.nan, "NaN"),
        (-math.inf, "-Infinity"),
    ],
)
def test_number_text_is_javascripts(value: float, text: str) -> None:
    assert js_number_text(value) == text
