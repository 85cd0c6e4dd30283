"""navai.functions: discovery, naming, the worker-thread hop, the JavaScript rules."""
