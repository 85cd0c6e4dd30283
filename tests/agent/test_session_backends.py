"""NavaiVoiceAgent end to end against real NAVAI backends: ``navai serve`` and the Node backend.

Both backends mint client secrets from the `OpenAIStandIn` of ``py_backend_harness`` (one
per test session, shared with the parity suite); the Realtime side is the loopback
`RealtimeStandIn`. The Node backend runs where node and npm are installed (required
under CI), as in ``tests/server/test_parity_backend.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from navai import (
    AsyncNavaiBackendClient,
    BackendFunction,
    BackendFunctionsResult,
    ClientSecret,
    NavaiHTTPError,
)
from navai.agent import NavaiVoiceAgent
from navai.agent._js import json_stringify
from navai.agent._runtime import error_message
from tests.support import skips
from tests.support.py_backend_harness import SessionBackends, session_backends
from tests.support.realtime_standin import RealtimeStandIn, function_call_response, text_response

pytestmark = pytest.mark.anyio

SECRETS_PATH = "/v1/realtime/client_secrets"


@pytest.fixture(params=["navai-serve", "node"])
def backend(request: pytest.FixtureRequest) -> tuple[str, SessionBackends]:
    """(base URL, the session's backends) of ``navai serve`` or of the Node backend."""
    if request.param == "node":
        skips.require_node()
        shared = session_backends(request.config, node=True)
        assert shared.node is not None
        return shared.node.url, shared
    shared = session_backends(request.config, node=False)
    return shared.py.url, shared


class SpyClient(AsyncNavaiBackendClient):
    """Keeps the secrets it minted, and lists one extra function the backend does not have."""

    minted: list[str]

    async def create_client_secret(self, *args: Any, **kwargs: Any) -> ClientSecret:
        secret = await super().create_client_secret(*args, **kwargs)
        self.minted = [*getattr(self, "minted", []), secret.value]
        return secret

    async def list_functions(self, **kwargs: Any) -> BackendFunctionsResult:
        listed = await super().list_functions(**kwargs)
        return BackendFunctionsResult(
            functions=[*listed.functions, BackendFunction("ghost")], warnings=listed.warnings
        )


async def test_agent_round_trips_through_the_backend(backend: tuple[str, SessionBackends]) -> None:
    url, shared = backend
    mark = shared.upstream.mark()
    async with RealtimeStandIn() as realtime, SpyClient(url) as client:
        listed = {f.name: f for f in (await AsyncNavaiBackendClient.list_functions(client)).functions}
        assert "calculator_multiply" in listed
        assert "ghost" not in listed
        async with NavaiVoiceAgent(client, mode="text", env={}, realtime_url=realtime.url) as agent:
            conn = await realtime.next_connection()
            await conn.wait_for("session.update")

            # The secret the backend minted upstream is the Bearer the Realtime API gets.
            [secret] = client.minted
            assert re.fullmatch(r"ek_[A-Za-z0-9]{32}", secret)
            assert conn.authorization == f"Bearer {secret}"
            upstream = [r for r in shared.upstream.since(mark) if r.path == SECRETS_PATH]
            assert len(upstream) == 1
            assert upstream[0].headers["authorization"] == f"Bearer {shared.key}"
            instructions = conn.received[0]["session"]["instructions"]
            assert "- calculator_multiply: " in instructions
            assert "- ghost: Execute backend function." in instructions

            async def model() -> None:
                await conn.wait_for("response.create")
                arguments = '{"function_name":"calculator_multiply","payload":{"args":[6,7]}}'
                await conn.send(*function_call_response("c_mul", "execute_app_function", arguments))
                await conn.wait_for("response.create", count=2)
                await conn.send(*text_response("6 times 7 is 42."))

            server = asyncio.create_task(model())
            assert await agent.ask("What is 6 times 7?", timeout=10) == "6 times 7 is 42."
            await server
            multiplied = conn.events("conversation.item.create")[1]["item"]
            source = listed["calculator_multiply"].source or "backend"
            assert multiplied == {
                "type": "function_call_output",
                "call_id": "c_mul",
                "output": json_stringify(
                    {"ok": True, "function_name": "calculator_multiply", "source": source, "result": 42}
                ),
            }

            # Unknown to the backend (404) and failing in the backend: the client's error
            # message (the raw body of a non-2xx answer) is the details (spec section 5.2).
            expected: dict[str, str] = {}
            for name in ("ghost", "fail"):
                with pytest.raises(NavaiHTTPError) as caught:
                    await client.execute_function(name)
                assert error_message(caught.value) == caught.value.body  # the raw body, as in TypeScript
                expected[name] = json_stringify(
                    {
                        "ok": False,
                        "function_name": name,
                        "error": "Function execution failed.",
                        "details": error_message(caught.value),
                    }
                )
            not_found = json.loads(json.loads(expected["ghost"])["details"])
            assert not_found["error"] == "Unknown or disallowed function."
            assert "calculator_multiply" in not_found["available_functions"]
            assert "boom: intentional failure" in json.loads(expected["fail"])["details"]

            await conn.send(
                *function_call_response(
                    [
                        ("c_ghost", "execute_app_function", '{"function_name":"ghost"}'),
                        ("c_fail", "execute_app_function", '{"function_name":"fail","payload":null}'),
                    ]
                )
            )
            answers = await conn.wait_until(
                lambda received: (
                    outputs
                    if len(
                        outputs := {
                            e["item"]["call_id"]: e["item"]["output"]
                            for e in received
                            if e.get("type") == "conversation.item.create"
                            and e["item"]["type"] == "function_call_output"
                            and e["item"]["call_id"] != "c_mul"
                        }
                    )
                    == 2
                    else None
                ),
                timeout=10,
            )
            assert answers == {"c_ghost": expected["ghost"], "c_fail": expected["fail"]}


async def test_a_backend_null_result_reaches_the_model_as_null(backend: tuple[str, SessionBackends]) -> None:
    """The Node backend answers ``"result": null`` for a JS ``return null`` and the TypeScript
    runtime passes it on; navai serve cannot tell None from nothing, so it leaves ``result``
    out for both (a difference the README lists)."""
    url, _ = backend
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(url) as client:
        listed = (await client.list_functions()).functions
        [null] = [f for f in listed if (f.source or "").endswith("#returnNull")]
        async with NavaiVoiceAgent(client, mode="text", env={}, realtime_url=realtime.url):
            conn = await realtime.next_connection()
            await conn.wait_for("session.update")
            arguments = json.dumps({"function_name": null.name})
            await conn.send(*function_call_response("c_null", "execute_app_function", arguments))
            answer = await conn.wait_for("conversation.item.create")
    expected: dict[str, Any] = {"ok": True, "function_name": null.name, "source": null.source}
    if url != backend[1].py.url:
        expected["result"] = None
    assert answer["item"] == {
        "type": "function_call_output",
        "call_id": "c_null",
        "output": json_stringify(expected),
    }
