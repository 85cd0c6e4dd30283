"""The instructions text the agent sends in ``session.update`` (spec section 4)."""

from __future__ import annotations

from collections.abc import Sequence

from ._routes import Route, route_prompt_lines

__all__ = ["DEFAULT_BASE_INSTRUCTIONS", "RULES", "build_instructions"]

DEFAULT_BASE_INSTRUCTIONS = "You are a voice assistant embedded in an app."
"""The first line when none is given (the mobile runtime says ``a mobile app``)."""

RULES = (
    "- The only valid tool names are navigate_to and execute_app_function.",
    "- If user asks to go/open a section, always call navigate_to.",
    "- If user asks to run an internal action, always call execute_app_function.",
    "- Always call a tool before claiming that navigation/action was completed.",
    "- Do not repeat greetings or the same sentence multiple times.",
    "- Do not call the same tool repeatedly for the same request unless user explicitly asks to retry.",
    "- payload is optional in execute_app_function. Use null when no arguments are needed.",
    "- For execute_app_function, pass arguments using payload.args (array).",
    "- For class methods, pass payload.constructorArgs and payload.methodArgs.",
    '- Use exact function_name from the allowed list (example: "secret_word").',
    "- Never invent routes or function names that are not listed.",
    "- If destination/action is unclear, ask a brief clarifying question.",
)


def build_instructions(
    *,
    base_instructions: str | None,
    routes: Sequence[Route],
    function_lines: Sequence[tuple[str, str]],
) -> str:
    """Base line, ``Allowed routes:``, ``Allowed app functions:`` (or ``- none``), ``Rules:``.

    ``function_lines`` are (name, description) pairs: local functions, then backend ones.
    """
    functions = [f"- {name}: {description}" for name, description in function_lines] or ["- none"]
    return "\n".join(
        [
            DEFAULT_BASE_INSTRUCTIONS if base_instructions is None else base_instructions,
            "Allowed routes:",
            *route_prompt_lines(routes),
            "Allowed app functions:",
            *functions,
            "Rules:",
            *RULES,
        ]
    )
