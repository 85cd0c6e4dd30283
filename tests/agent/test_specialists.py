"""Specialist agents: folder discovery on disk, the runtime's transfers, and a whole session.

The parity suite (``test_parity_runtime.py``) compares the folder rules, texts, tools and
transfers with the published web runtime; this module checks what it cannot: ``.py``
modules and ``agent.config.py`` found on disk, and a scripted Realtime session (the
loopback stand-in) against ``navai serve`` in which the model transfers to a specialist,
runs a local and a backend function there, and transfers back, with each
``session.update`` a transfer sends checked byte for byte.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from navai import AsyncNavaiBackendClient
from navai.agent import (
    AgentConfig,
    NavaiVoiceAgent,
    ToolCallResult,
    Transfer,
    create_multi_agent_runtime,
    discover_agents,
    handoff_tool_name,
    tool_schemas,
)
from navai.agent._js import json_stringify
from tests.support.py_backend_harness import session_backends
from tests.support.realtime_standin import (
    RealtimeStandIn,
    StandInConnection,
    function_call_response,
    text_response,
)

FOLDER = "src/ai/functions-modules"
MAIN_PY = '''
def open_help():
    """Opens the help page."""
    return "/help"
'''
FOOD_PY = '''
def suggest_meal(diet):
    """Suggests a meal for a diet."""
    return {"diet": diet, "meal": "veggie tacos"}
'''
FOOD_CONFIG = """
NAVAI_AGENT = {
    "name": "Food",
    "description": "Meal suggestions.",
    "instructions": "You are the food specialist. Suggest meals.",
}
"""
HANDOFF_PARAMETERS = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
SPECIALIST_RULES = [
    "Rules:",
    "- Always use execute_app_function for app actions.",
    "- When no arguments are needed, call execute_app_function with payload set to null.",
    "- Use only the functions available to this specialist agent.",
    "- Do not navigate unless one of your allowed functions explicitly does so.",
    "- Return a concise result to the main NAVAI agent.",
]


def _app(tmp_path: Path) -> Path:
    """An app folder: a primary ``main`` agent, a ``food`` specialist with a config, and a
    module outside both (left out once agent folders are set)."""
    base = tmp_path / FOLDER
    for folder, files in {
        "main": {"help.py": MAIN_PY},
        "food": {"menu.py": FOOD_PY, "agent.config.py": FOOD_CONFIG},
        "": {"loose.py": MAIN_PY.replace("open_help", "loose")},
    }.items():
        (base / folder).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (base / folder / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_discover_agents_reads_python_folders_and_configs(tmp_path: Path) -> None:
    found = discover_agents(base_dir=_app(tmp_path), env={"NAVAI_AGENTS_FOLDERS": "main,food"})
    assert [(a.key, a.name, a.description, a.instructions, a.is_primary) for a in found.agents] == [
        ("main", "Main", None, None, True),
        ("food", "Food", "Meal suggestions.", "You are the food specialist. Suggest meals.", False),
    ]
    assert set(found.modules) == {f"{FOLDER}/food/menu.py", f"{FOLDER}/main/help.py"}  # no loose.py
    assert [a.modules for a in found.agents] == [(f"{FOLDER}/main/help.py",), (f"{FOLDER}/food/menu.py",)]
    assert [f.name for f in found.agents[1].functions] == ["suggest_meal"]
    assert found.primary_agent_key == "main"
    assert found.functions is None  # loaded only when no agent has functions
    # Without agent folders: one agent, every module of the functions folder.
    single = discover_agents(base_dir=tmp_path, env={})
    assert single.agents == ()
    assert single.functions is not None
    assert sorted(f.name for f in single.functions) == ["loose", "open_help", "suggest_meal"]


def test_handoff_tool_names_follow_the_sdk() -> None:
    assert handoff_tool_name("Food") == "transfer_to_Food"
    assert handoff_tool_name("Help Desk") == "transfer_to_Help_Desk"
    assert handoff_tool_name("Café 🍔") == "transfer_to_Caf____"  # é is one code unit, 🍔 two
    with pytest.raises(ValueError, match="Tool name cannot be empty"):
        handoff_tool_name("")


@pytest.mark.anyio
async def test_transfers_switch_the_current_agent_and_back() -> None:
    def suggest_meal(diet: str) -> str:
        """Suggests a meal."""
        return f"{diet} tacos"

    runtime = create_multi_agent_runtime(
        agents=[
            AgentConfig(key="main", name="Main", is_primary=True),
            AgentConfig(key="food", name="Food", description="Meals.", functions=[suggest_meal]),
        ]
    )
    assert [t["name"] for t in runtime.tools] == ["navigate_to", "execute_app_function", "transfer_to_Food"]
    to_food = await runtime.execute_tool_call("transfer_to_Food", {"ignored": True})
    assert isinstance(to_food, Transfer)
    assert (to_food.agent, to_food.previous, to_food.output) == ("Food", "Main", '{"assistant":"Food"}')
    assert runtime.agent_name == "Food"
    assert to_food.session == {"instructions": runtime.instructions, "tools": runtime.tools}
    assert runtime.available_function_names == ["suggest_meal"]
    answer = await runtime.execute_tool_call(
        "execute_app_function", {"function_name": "suggest_meal", "payload": {"args": ["veggie"]}}
    )
    assert (answer["ok"], answer["function_name"], answer["result"]) == (True, "suggest_meal", "veggie tacos")
    # Another agent's transfer tool is unknown here; a name is read as navai reads every tool
    # name, trimmed and in any case (navai's event reading lower-cases it).
    unknown = await runtime.execute_tool_call("transfer_to_Food", None)
    assert unknown == {
        "ok": False,
        "error": "Unknown or disallowed tool.",
        "available_tools": ["execute_app_function", "transfer_to_Main"],
    }
    back = await runtime.execute_tool_call(" TRANSFER_TO_MAIN ", None)
    assert isinstance(back, Transfer)
    assert (back.agent, back.previous, runtime.agent_name) == ("Main", "Food", "Main")
    assert back.tools == runtime.primary.tools
    # Without the way back, a specialist has exactly the web runtime's one tool.
    forward_only = create_multi_agent_runtime(
        agents=[AgentConfig(key="a", name="A"), AgentConfig(key="b", name="B")], return_to_primary=False
    )
    await forward_only.execute_tool_call("transfer_to_B", None)
    assert forward_only.tools == [tool_schemas()[1]]


def _function_lines(listed: list[Any], local: list[tuple[str, str]]) -> list[str]:
    return [f"- {name}: {description}" for name, description in local] + [
        f"- {f.name}: {f.description or 'Execute backend function.'}" for f in listed
    ]


def _session_update(instructions: str, tools: list[dict[str, Any]]) -> str:
    """The session.update text navai sends, as a literal: key order included."""
    return json.dumps(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": instructions,
                "tools": tools,
                "tool_choice": "auto",
                "output_modalities": ["text"],
            },
        }
    )


def _after(conn: StandInConnection, call_id: str) -> list[str]:
    """The raw messages from the one before ``call_id``'s answer through the one after it.

    The ``event_id`` every ``response.create`` carries (so that a refusal names it) is
    checked and then left out: it is new for each request.
    """
    index = next(
        i
        for i, event in enumerate(conn.received)
        if event.get("type") == "conversation.item.create" and event["item"].get("call_id") == call_id
    )
    raw = conn.raw[index - 1 : index + 2]
    last = json.loads(raw[-1])
    if last.get("type") == "response.create":
        assert re.fullmatch(r"navai_[0-9a-f]{20}", last.pop("event_id")), raw[-1]
        raw[-1] = json.dumps(last)
    return raw


@pytest.mark.anyio
async def test_a_session_transfers_to_a_specialist_and_back(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = session_backends(request.config, node=False).py.url
    agents = discover_agents(base_dir=_app(tmp_path), agents_folders="main,food", env={})
    tool_calls: list[ToolCallResult] = []
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(url) as client:
        listed = [f for f in (await client.list_functions()).functions if f.name != "suggest_meal"]
        multiply = next(f for f in listed if f.name == "calculator_multiply")
        async with NavaiVoiceAgent(
            client,
            agents=agents,
            mode="text",
            env={},
            realtime_url=realtime.url,
            on_tool_call=tool_calls.append,
        ) as agent:
            conn = await realtime.next_connection()
            first = await conn.wait_for("session.update")
            primary_instructions = first["session"]["instructions"]
            assert (
                primary_instructions.split("\n")[0]
                == "You are the main NAVAI voice agent embedded in a web app."
            )
            assert "Available specialist agents:\n- Food: Meal suggestions.\nRules:" in primary_instructions
            primary_tools = first["session"]["tools"]
            assert primary_tools[-1] == {
                "type": "function",
                "name": "transfer_to_Food",
                "description": "Handoff to the Food agent to handle the request. Meal suggestions.",
                "parameters": HANDOFF_PARAMETERS,
            }

            async def model() -> None:
                await conn.wait_for("response.create")
                await conn.send(*function_call_response("c_food", "transfer_to_Food", "{}"))
                await conn.wait_for("response.create", count=2)
                meal = '{"function_name":"suggest_meal","payload":{"args":["veggie"]}}'
                await conn.send(*function_call_response("c_meal", "execute_app_function", meal))
                await conn.wait_for("response.create", count=3)
                product = '{"function_name":"calculator_multiply","payload":{"args":[2,3]}}'
                await conn.send(*function_call_response("c_mul", "execute_app_function", product))
                await conn.wait_for("response.create", count=4)
                await conn.send(*text_response("Two plates of veggie tacos: 6 tacos."))
                await conn.wait_for("response.create", count=5)
                await conn.send(*function_call_response("c_main", "transfer_to_Main", ""))
                await conn.wait_for("response.create", count=6)
                await conn.send(*text_response("Back at the main menu."))

            server = asyncio.create_task(model())
            assert (
                await agent.ask("Two veggie meals, please", timeout=10)
                == "Two plates of veggie tacos: 6 tacos."
            )
            assert agent.runtime is not None
            assert agent.runtime.agent_name == "Food"
            assert await agent.ask("Back to the main menu", timeout=10) == "Back at the main menu."
            await server
            assert agent.runtime.agent_name == "Main"

    food_instructions = "\n".join(
        [
            "You are the food specialist. Suggest meals.",
            "Allowed app functions:",
            *_function_lines(listed, [("suggest_meal", "Call exported function suggest_meal.")]),
            *SPECIALIST_RULES,
        ]
    )
    food_tools = [
        tool_schemas()[1],
        {
            "type": "function",
            "name": "transfer_to_Main",
            "description": "Handoff to the Main agent to handle the request. "
            "Return to it when the request is not yours, or once your task is done.",
            "parameters": HANDOFF_PARAMETERS,
        },
    ]
    # Each transfer: session.update with the new agent, then the answer and response.create,
    # back to back, as the SDK's handoff sends them.
    assert _after(conn, "c_food") == [
        _session_update(food_instructions, food_tools),
        json.dumps(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "function_call_output",
                    "call_id": "c_food",
                    "output": '{"assistant":"Food"}',
                },
            }
        ),
        '{"type": "response.create"}',
    ]
    assert _after(conn, "c_main") == [
        _session_update(primary_instructions, primary_tools),
        json.dumps(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "function_call_output",
                    "call_id": "c_main",
                    "output": '{"assistant":"Main"}',
                },
            }
        ),
        '{"type": "response.create"}',
    ]
    assert len(conn.events("session.update")) == 3  # the first, and one per transfer
    # In the specialist, a local function and a backend one (through navai serve).
    outputs = {call.call_id: call.output for call in tool_calls}
    assert outputs == {
        "c_food": '{"assistant":"Food"}',
        "c_meal": {
            "ok": True,
            "function_name": "suggest_meal",
            "source": f"{FOLDER}/food/menu.py#suggest_meal",
            "result": {"diet": "veggie", "meal": "veggie tacos"},
        },
        "c_mul": {
            "ok": True,
            "function_name": "calculator_multiply",
            "source": multiply.source or "backend",
            "result": 6,
        },
        "c_main": '{"assistant":"Main"}',
    }
    assert [e["item"].get("output") for e in conn.events("conversation.item.create")][2:4] == [
        json_stringify(outputs["c_meal"]),
        json_stringify(outputs["c_mul"]),
    ]
