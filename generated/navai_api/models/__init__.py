"""Contains all the data models used in inputs/outputs"""

from .backend_function_item import BackendFunctionItem
from .client_secret_response import ClientSecretResponse
from .create_client_secret_request import CreateClientSecretRequest
from .error_response import ErrorResponse
from .execute_function_request import ExecuteFunctionRequest
from .execute_function_request_payload_type_0 import ExecuteFunctionRequestPayloadType0
from .execute_function_response import ExecuteFunctionResponse
from .functions_list_response import FunctionsListResponse
from .speech_config import SpeechConfig
from .speech_config_provider import SpeechConfigProvider
from .speech_synthesis_response import SpeechSynthesisResponse
from .speech_synthesis_response_provider import SpeechSynthesisResponseProvider
from .synthesize_speech_request import SynthesizeSpeechRequest
from .unknown_function_response import UnknownFunctionResponse
from .voice_settings import VoiceSettings

__all__ = (
    "BackendFunctionItem",
    "ClientSecretResponse",
    "CreateClientSecretRequest",
    "ErrorResponse",
    "ExecuteFunctionRequest",
    "ExecuteFunctionRequestPayloadType0",
    "ExecuteFunctionResponse",
    "FunctionsListResponse",
    "SpeechConfig",
    "SpeechConfigProvider",
    "SpeechSynthesisResponse",
    "SpeechSynthesisResponseProvider",
    "SynthesizeSpeechRequest",
    "UnknownFunctionResponse",
    "VoiceSettings",
)
