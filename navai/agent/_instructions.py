"""The instructions text the agent sends in ``session.update`` (spec section 4)."""

from __future__ import annotations

from collections.abc import Sequence

from ._routes import Route, route_prompt_lines

__all__ = ["DEFAULT_BASE_INSTRUCTIONS", "RULES", "build_instructions", "function_prompt_lines"]

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


def function_prompt_lines(function_lines: Sequence[tuple[str, str]]) -> list[str]:
    """``- <name>: <description>`` for each (name, description) pair, or ``- none``."""
    return [f"- {name}: {description}" for name, description in function_lines] or ["- none"]


def build_instructions(
    *,
    base_instructions: str | None,
    routes: Sequence[Route],
    function_lines: Sequence[tuple[str, str]],
) -> str:
    """Base line, ``Allowed routes:``, ``Allowed app functions:`` (or ``- none``), ``Rules:``.

    ``function_lines`` are (name, description) pairs: local functions, then backend ones.
    """
    functions = function_prompt_lines(function_lines)
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


# -- the web runtime's multi-agent texts (buildNavaiAgent of @navai/voice-frontend 0.1.7) ----------

DEFAULT_PRIMARY_INSTRUCTIONS = "You are the main NAVAI voice agent embedded in a web app."
"""The primary agent's first line when neither its folder's config nor the caller gives one."""

PRIMARY_RULES = (
    "- If user asks to go/open a section, always call navigate_to.",
    "- If user asks to run an internal action that belongs to you, "
    "call execute_app_function or the matching direct function tool.",
    "- If the task clearly belongs to a specialist agent, hand off to that specialist agent.",
    "- Always include payload in execute_app_function. Use null when no arguments are needed.",
    "- For execute_app_function, pass arguments using payload.args (array).",
    "- For class methods, pass payload.constructorArgs and payload.methodArgs.",
    "- Never invent routes or function names that are not listed.",
    "- If destination/action is unclear, ask a brief clarifying question.",
)
"""The web primary agent's rules, less its fourth: a rule written for the NAVAI demo app
(``Food recommendations, ... belong to the food specialist.``), hard-coded in every app."""

SPECIALIST_RULES = (
    "- Always use execute_app_function for app actions.",
    "- When no arguments are needed, call execute_app_function with payload set to null.",
    "- Use only the functions available to this specialist agent.",
    "- Do not navigate unless one of your allowed functions explicitly does so.",
    "- Return a concise result to the main NAVAI agent.",
)


def build_primary_instructions(
    *,
    base_instructions: str | None,
    routes: Sequence[Route],
    function_lines: Sequence[str],
    specialist_lines: Sequence[str],
) -> str:
    """Base line, ``Allowed routes:``, ``Allowed app functions:``, ``Available specialist
    agents:`` (``- <name>: <description>`` or ``- none``), ``Rules:``."""
    return "\n".join(
        [
            DEFAULT_PRIMARY_INSTRUCTIONS if base_instructions is None else base_instructions,
            "Allowed routes:",
            *route_prompt_lines(routes),
            "Allowed app functions:",
            *function_lines,
            "Available specialist agents:",
            *(specialist_lines or ["- none"]),
            "Rules:",
            *PRIMARY_RULES,
        ]
    )


def build_specialist_instructions(
    *, name: str, instructions: str | None, function_lines: Sequence[str]
) -> str:
    """The specialist's own instructions (else ``You are the <name> specialist agent for
    this web app.``), its ``Allowed app functions:`` and its five rules."""
    return "\n".join(
        [
            f"You are the {name} specialist agent for this web app."
            if instructions is None
            else instructions,
            "Allowed app functions:",
            *function_lines,
            "Rules:",
            *SPECIALIST_RULES,
        ]
    )
