"""Every facade call runs through the generated client: its endpoint module and its response model.

* Spies wrap each generated endpoint's ``sync_detailed`` / ``asyncio_detailed`` and each
  2xx response model's ``from_dict``; every facade method, sync and async, on navai's own
  httpx2 client and on a caller's, must call exactly its own endpoint with the expected
  URL and generated request model, and return a value read from the model the endpoint
  parsed (the model spy marks what it returns, and the mark must show in the result).
* A 2xx body that the model refuses gives ``parsed=None``, and navai's lenient rules read
  the raw content instead.
* Property: for any body conforming to an operation's 2xx schema in ``openapi.yaml``
  (generated from the contract itself by schemathesis), the model path and the lenient
  raw path give the same result, so the two cannot drift apart.
* What the generated request models serialise is exactly what goes on the wire, so a
  change to ``openapi.yaml`` (regenerated into the models) reaches the facade.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx2
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings

import navai
from navai import _core
from navai_api import Client as ApiClient
from navai_api.api.navai import create_client_secret, execute_function, list_functions, synthesize_speech
from navai_api.models import (
    ClientSecretResponse,
    CreateClientSecretRequest,
    ExecuteFunctionRequest,
    ExecuteFunctionRequestPayloadType0,
    ExecuteFunctionResponse,
    FunctionsListResponse,
    SpeechSynthesisResponse,
    SynthesizeSpeechRequest,
    VoiceSettings,
)
from navai_api.types import Response as ApiResponse
from tests.support.drivers import Driver

BASE = "http://backend.localhost"  # loopback: an api_key may go there over plain http
SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
ENDPOINTS: dict[str, ModuleType] = {
    "createClientSecret": create_client_secret,
    "listFunctions": list_functions,
    "executeFunction": execute_function,
    "synthesizeSpeech": synthesize_speech,
}
RESPONSE_MODELS = (
    ClientSecretResponse,
    FunctionsListResponse,
    ExecuteFunctionResponse,
    SpeechSynthesisResponse,
)

# What the backend answers here: raw bodies that conform to the contract.
SECRET_BODY = {"value": "ek_raw", "expires_at": 1_900_000_000, "speech": {"provider": "openai"}}
FUNCTIONS_BODY = {"items": [{"name": "echo", "description": "Echo", "source": "basics.js"}], "warnings": []}
EXECUTE_BODY = {"ok": True, "function_name": "echo", "source": "basics.js", "result": {"value": 1}}
SPEECH_BODY = {"provider": "elevenlabs", "mimeType": "audio/mpeg", "audioBase64": "AQID"}
BODIES = {
    "/navai/speech/synthesize": SPEECH_BODY,
    "/navai/realtime/client-secret": SECRET_BODY,
    "/navai/functions": FUNCTIONS_BODY,
    "/navai/functions/execute": EXECUTE_BODY,
}


def answer_from(bodies: dict[str, Any]) -> Callable[[httpx2.Request], httpx2.Response]:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=bodies[request.url.path])

    return handler


# -- spies -------------------------------------------------------------------------------


def mark(model: Any) -> None:
    """What the model spy does to every model it returns, so that a result read from it shows."""
    if isinstance(model, ClientSecretResponse):
        model.value = "ek_from_model"
    elif isinstance(model, FunctionsListResponse):
        for item in model.items:
            item.name += " (from model)"
    elif isinstance(model, ExecuteFunctionResponse):
        model.result = {"from_model": model.result}
    elif isinstance(model, SpeechSynthesisResponse):
        model.mime_type += "; from=model"


@attrs.define
class EndpointCall:
    module: ModuleType
    variant: str
    arguments: dict[str, Any]
    response: ApiResponse[Any] | None = None


@attrs.define
class ModelCall:
    model: type
    data: Any
    returned: Any = None
    raised: BaseException | None = None


@attrs.define
class Spies:
    endpoint_calls: list[EndpointCall] = attrs.Factory(list)
    model_calls: list[ModelCall] = attrs.Factory(list)


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> Spies:
    spies = Spies()

    for module in ENDPOINTS.values():
        sync_detailed, asyncio_detailed = module.sync_detailed, module.asyncio_detailed

        def sync_spy(*, _module: ModuleType = module, _real: Any = sync_detailed, **arguments: Any) -> Any:
            call = EndpointCall(_module, "sync_detailed", arguments)
            spies.endpoint_calls.append(call)
            call.response = _real(**arguments)
            return call.response

        async def async_spy(
            *, _module: ModuleType = module, _real: Any = asyncio_detailed, **arguments: Any
        ) -> Any:
            call = EndpointCall(_module, "asyncio_detailed", arguments)
            spies.endpoint_calls.append(call)
            call.response = await _real(**arguments)
            return call.response

        monkeypatch.setattr(module, "sync_detailed", sync_spy)
        monkeypatch.setattr(module, "asyncio_detailed", async_spy)

    for model in RESPONSE_MODELS:
        bound_from_dict: Any = model.from_dict

        def from_dict_spy(cls: type, data: Any, _real: Any = bound_from_dict.__func__) -> Any:
            call = ModelCall(cls, data)
            spies.model_calls.append(call)
            try:
                call.returned = _real(cls, data)
            except Exception as exc:
                call.raised = exc
                raise
            mark(call.returned)
            return call.returned

        monkeypatch.setattr(model, "from_dict", classmethod(from_dict_spy))

    return spies


# -- every facade call goes through its endpoint module and its model ---------------------


@attrs.frozen
class FacadeCall:
    name: str
    call: Callable[[Driver], Any]
    endpoint: ModuleType
    url: str
    body: Any
    """The generated request model the endpoint must get (None: the operation has no body)."""
    model: type
    raw: dict[str, Any]
    from_model: Any
    """What the facade must return when it reads the (marked) model."""


FACADE_CALLS = [
    FacadeCall(
        "create_client_secret",
        lambda client: client.create_client_secret({"model": "gpt-realtime"}, voice_accent="neutral"),
        create_client_secret,
        f"{BASE}/navai/realtime/client-secret",
        CreateClientSecretRequest(model="gpt-realtime", voice_accent="neutral"),
        ClientSecretResponse,
        SECRET_BODY,
        navai.ClientSecret("ek_from_model", 1_900_000_000, extra={"speech": {"provider": "openai"}}),
    ),
    FacadeCall(
        "list_functions",
        lambda client: client.list_functions(),
        list_functions,
        f"{BASE}/navai/functions",
        None,
        FunctionsListResponse,
        FUNCTIONS_BODY,
        navai.BackendFunctionsResult(
            functions=[navai.BackendFunction("echo (from model)", "Echo", "basics.js")], warnings=[]
        ),
    ),
    FacadeCall(
        "execute_function",
        lambda client: client.execute_function("echo", {"value": 1}),
        execute_function,
        f"{BASE}/navai/functions/execute",
        ExecuteFunctionRequest("echo", ExecuteFunctionRequestPayloadType0.from_dict({"value": 1})),
        ExecuteFunctionResponse,
        EXECUTE_BODY,
        {"from_model": {"value": 1}},
    ),
    FacadeCall(
        "execute_function_detailed",
        lambda client: client.execute_function_detailed("echo", None),
        execute_function,
        f"{BASE}/navai/functions/execute",
        ExecuteFunctionRequest("echo", None),
        ExecuteFunctionResponse,
        EXECUTE_BODY,
        navai.FunctionResult({"from_model": {"value": 1}}, "echo", "basics.js"),
    ),
    FacadeCall(
        "synthesize_speech",
        lambda client: client.synthesize_speech(
            "Hola", voice_id="v1", output_format="pcm_24000", voice_settings={"use_speaker_boost": True}
        ),
        synthesize_speech,
        f"{BASE}/navai/speech/synthesize",
        SynthesizeSpeechRequest(
            "Hola",
            voice_id="v1",
            output_format="pcm_24000",
            voice_settings=VoiceSettings.from_dict({"useSpeakerBoost": True}),
        ),
        SpeechSynthesisResponse,
        SPEECH_BODY,
        navai.SynthesizedSpeech(b"\x01\x02\x03", "audio/mpeg; from=model"),
    ),
]


@pytest.mark.parametrize("facade", FACADE_CALLS, ids=lambda facade: facade.name)
def test_every_facade_call_runs_through_its_endpoint_and_model(
    make_driver: Callable[..., Driver], spies: Spies, facade: FacadeCall
) -> None:
    client = make_driver(answer_from(BODIES), api_base_url=BASE)

    result = facade.call(client)

    (endpoint_call,) = spies.endpoint_calls
    assert endpoint_call.module is facade.endpoint
    assert endpoint_call.variant == ("asyncio_detailed" if client.is_async else "sync_detailed")
    assert endpoint_call.arguments["path"] == facade.url
    assert endpoint_call.arguments.get("body") == facade.body
    if facade.body is not None:
        assert type(endpoint_call.arguments["body"]) is type(facade.body)

    (model_call,) = spies.model_calls
    assert model_call.model is facade.model
    assert model_call.data == facade.raw
    assert endpoint_call.response is not None
    assert endpoint_call.response.parsed is model_call.returned

    assert result == facade.from_model


def test_the_async_facade_never_uses_the_sync_endpoints(spies: Spies) -> None:
    """One client, every call: each goes to ``asyncio_detailed`` of its own operation, in order."""
    import asyncio

    async def main() -> None:
        transport = httpx2.MockTransport(answer_from(BODIES))
        async with navai.AsyncNavaiBackendClient(BASE, transport=transport) as client:
            await client.create_client_secret()
            await client.list_functions()
            await client.execute_function("echo")
            await client.execute_function_detailed("echo")
            await client.secret_provider().get()
            await client.function_catalog().get()

    asyncio.run(main())
    assert [(call.module, call.variant) for call in spies.endpoint_calls] == [
        (create_client_secret, "asyncio_detailed"),
        (list_functions, "asyncio_detailed"),
        (execute_function, "asyncio_detailed"),
        (execute_function, "asyncio_detailed"),
        (create_client_secret, "asyncio_detailed"),
        (list_functions, "asyncio_detailed"),
    ]
    assert [call.model for call in spies.model_calls] == [
        ClientSecretResponse,
        FunctionsListResponse,
        ExecuteFunctionResponse,
        ExecuteFunctionResponse,
        ClientSecretResponse,
        FunctionsListResponse,
    ]


# -- a body the model refuses: parsed is None, the lenient rules read the raw content ----


@attrs.frozen
class Mismatch:
    name: str
    call: Callable[[Driver], Any]
    model: type
    raw: Any
    lenient: Any
    """The facade's result (or, for an exception class, what it raises) under the lenient rules."""


MISMATCHES = [
    Mismatch(
        "list: an item whose name is not a string",
        lambda client: client.list_functions(),
        FunctionsListResponse,
        {"items": [{"name": "echo"}, {"name": 5}, "junk", {"name": " "}], "warnings": ["w", 3]},
        navai.BackendFunctionsResult(functions=[navai.BackendFunction("echo")], warnings=["w"]),
    ),
    Mismatch(
        "list: no warnings",
        lambda client: client.list_functions(),
        FunctionsListResponse,
        {"items": [{"name": "echo", "description": 7}]},
        navai.BackendFunctionsResult(functions=[navai.BackendFunction("echo")], warnings=[]),
    ),
    Mismatch(
        "execute: ok is the string 'yes'",
        lambda client: client.execute_function_detailed("echo"),
        ExecuteFunctionResponse,
        {"ok": "yes", "result": 1},
        navai.NavaiFunctionError,
    ),
    Mismatch(
        "execute: function_name is not a string",
        lambda client: client.execute_function_detailed("echo"),
        ExecuteFunctionResponse,
        {"ok": True, "function_name": 7, "source": ["x"], "result": 1},
        navai.FunctionResult(1, None, None),
    ),
    Mismatch(
        "client secret: expires_at is not an integer",
        lambda client: client.create_client_secret(),
        ClientSecretResponse,
        {"value": "ek_raw", "expires_at": "tomorrow", "speech": {"provider": "nobody"}},
        navai.ClientSecret("ek_raw", None, extra={"speech": {"provider": "nobody"}}),
    ),
    Mismatch(
        "speech: provider openai",
        lambda client: client.synthesize_speech("hi"),
        SpeechSynthesisResponse,
        {"provider": "openai", "mimeType": "audio/mpeg", "audioBase64": "AQID"},
        navai.NavaiInvalidResponseError,
    ),
    Mismatch(
        "speech: mimeType is not a string",
        lambda client: client.synthesize_speech("hi"),
        SpeechSynthesisResponse,
        {"provider": "elevenlabs", "mimeType": 3, "audioBase64": "AQID"},
        navai.NavaiInvalidResponseError,
    ),
    Mismatch(
        "speech: no audioBase64",
        lambda client: client.synthesize_speech("hi"),
        SpeechSynthesisResponse,
        {"provider": "elevenlabs", "mimeType": "audio/mpeg"},
        navai.NavaiInvalidResponseError,
    ),
    Mismatch(
        "client secret: no value",
        lambda client: client.create_client_secret(),
        ClientSecretResponse,
        {"expires_at": 1},
        navai.NavaiInvalidResponseError,
    ),
]


@pytest.mark.parametrize("mismatch", MISMATCHES, ids=lambda mismatch: mismatch.name)
def test_a_body_the_model_refuses_is_read_leniently(
    make_driver: Callable[..., Driver], spies: Spies, mismatch: Mismatch
) -> None:
    client = make_driver(lambda _request: httpx2.Response(200, json=mismatch.raw), api_base_url=BASE)

    if isinstance(mismatch.lenient, type):
        with pytest.raises(mismatch.lenient):
            mismatch.call(client)
    else:
        assert mismatch.call(client) == mismatch.lenient

    (model_call,) = spies.model_calls
    assert model_call.model is mismatch.model
    assert model_call.raised is not None, "the model must refuse this body"
    (endpoint_call,) = spies.endpoint_calls
    assert endpoint_call.response is not None
    assert endpoint_call.response.parsed is None
    assert json.loads(endpoint_call.response.content) == mismatch.raw


def test_a_function_error_from_a_refused_body_keeps_the_raw_fields(
    make_driver: Callable[..., Driver],
) -> None:
    client = make_driver(
        lambda _request: httpx2.Response(200, json={"ok": "no", "error": "E_BAD", "details": {"why": 1}}),
        api_base_url=BASE,
    )
    with pytest.raises(navai.NavaiFunctionError) as info:
        client.execute_function("echo")
    assert str(info.value) == "E_BAD"
    assert info.value.details == {"why": 1}


# -- property: the model path and the lenient path agree on every conforming body ---------


def conforming_bodies(schema_ref: str) -> Any:
    """Hypothesis strategy: JSON values valid against ``schema_ref`` of openapi.yaml.

    schemathesis generates request bodies, so the schema is offered as the body of a
    throwaway operation in a document that carries the contract's components unchanged.
    """
    document = {
        "openapi": SPEC["openapi"],
        "info": {"title": "2xx bodies of the NAVAI contract", "version": SPEC["info"]["version"]},
        "paths": {
            "/body": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
                    },
                    "responses": {"200": {"description": "unused"}},
                }
            }
        },
        "components": SPEC["components"],
    }
    operation = schemathesis.openapi.from_dict(document)["/body"]["POST"]
    return operation.as_strategy().map(lambda case: case.body)


def contract_operations() -> list[tuple[str, str, str]]:
    """(operationId, path, the $ref of its 200 schema) for every operation of openapi.yaml."""
    found = []
    for path, methods in SPEC["paths"].items():
        for operation in methods.values():
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            found.append((operation["operationId"], path, schema["$ref"]))
    return found


def test_the_contract_has_exactly_the_operations_navai_drives() -> None:
    assert {(op_id, path) for op_id, path, _ in contract_operations()} == {
        (op_id, module.PATH) for op_id, module in ENDPOINTS.items()
    }


def outcome(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except navai.NavaiError as exc:
        return type(exc), str(exc), {k: v for k, v in vars(exc).items() if k != "message"}


@pytest.mark.parametrize(
    ("operation_id", "schema_ref"), [(op_id, ref) for op_id, _, ref in contract_operations()]
)
def test_model_path_and_lenient_path_agree_on_conforming_bodies(operation_id: str, schema_ref: str) -> None:
    endpoint = ENDPOINTS[operation_id]
    url = f"{BASE}{endpoint.PATH}"
    if endpoint is list_functions:
        op = _core.list_operation(url)

        def parse(response: ApiResponse[Any]) -> Any:
            return _core.parse_functions(response)
    else:
        if endpoint is create_client_secret:
            op = _core.client_secret_operation(url, None, {})
            parse_with_op: Callable[..., Any] = _core.parse_client_secret
        elif endpoint is synthesize_speech:
            op = _core.speech_operation(
                url,
                "hi",
                voice_id=None,
                model_id=None,
                output_format=None,
                optimize_streaming_latency=None,
                voice_settings=None,
            )
            parse_with_op = _core.parse_speech
        else:
            op = _core.execute_operation(url, "f", None)
            parse_with_op = _core.parse_execution

        def parse(response: ApiResponse[Any]) -> Any:
            return parse_with_op(op, response)

    served: list[bytes] = []
    http = httpx2.Client(
        transport=httpx2.MockTransport(lambda _request: httpx2.Response(200, content=served[-1]))
    )
    api = ApiClient(httpx_client=http)

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(body=conforming_bodies(schema_ref))
    def agree(body: Any) -> None:
        served.append(json.dumps(body).encode())
        response = endpoint.sync_detailed(client=api, **op.arguments(_options()))
        assert response.parsed is not None, f"the generated model refused a conforming body: {body!r}"
        through_model = outcome(lambda: parse(response))
        raw_only = outcome(lambda: parse(attrs.evolve(response, parsed=None)))
        assert through_model == raw_only

    try:
        agree()
    finally:
        http.close()


def _options() -> _core.Options:
    return _core.Options(None, httpx2.Timeout(5.0), 0, {})


# -- the generated request models are what goes on the wire -------------------------------


@pytest.fixture
def wire(make_driver: Callable[..., Driver]) -> tuple[Driver, list[Any]]:
    bodies: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        return answer_from(BODIES)(request)

    return make_driver(handler, api_base_url=BASE), bodies


def test_execute_sends_exactly_the_generated_request_model(wire: tuple[Driver, list[Any]]) -> None:
    client, bodies = wire
    payload = {"args": [1, "two", {"three": None}], "value": [True]}
    client.execute_function(" Echo ", payload)
    client.execute_function("echo")
    assert bodies == [
        ExecuteFunctionRequest(" Echo ", ExecuteFunctionRequestPayloadType0.from_dict(payload)).to_dict(),
        ExecuteFunctionRequest("echo", None).to_dict(),
    ]


def test_client_secret_sends_exactly_the_generated_request_model(wire: tuple[Driver, list[Any]]) -> None:
    client, bodies = wire
    fields = {
        "model": "gpt-realtime",
        "voice": "marin",
        "instructions": "Be brief.",
        "language": "es",
        "voice_accent": "neutral",
        "voice_tone": "warm",
        "api_key": "sk-test-key-0000",
    }
    client.create_client_secret(**fields)
    client.create_client_secret()
    assert bodies == [CreateClientSecretRequest(**fields).to_dict(), CreateClientSecretRequest().to_dict()]
    assert "voiceAccent" in bodies[0]  # the contract's wire names, from the generated model


def test_a_change_to_the_generated_models_reaches_the_wire(
    wire: tuple[Driver, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if openapi.yaml gained a field and the models were regenerated: navai sends what they say."""
    client, bodies = wire
    for model in (CreateClientSecretRequest, ExecuteFunctionRequest):
        real_to_dict = model.to_dict

        def to_dict(self: Any, _real: Any = real_to_dict) -> dict[str, Any]:
            return {**_real(self), "contractVersion": "next"}

        monkeypatch.setattr(model, "to_dict", to_dict)

    client.create_client_secret(voice="marin")
    client.execute_function("echo", {"value": 1})
    assert bodies == [
        {"voice": "marin", "contractVersion": "next"},
        {"function_name": "echo", "payload": {"value": 1}, "contractVersion": "next"},
    ]


def test_default_urls_are_the_contract_paths() -> None:
    client = navai.NavaiBackendClient(BASE, env={})
    assert client.client_secret_url == BASE + create_client_secret.PATH
    assert client.functions_list_url == BASE + list_functions.PATH
    assert client.functions_execute_url == BASE + execute_function.PATH
    assert client.speech_synthesize_url == BASE + synthesize_speech.PATH
