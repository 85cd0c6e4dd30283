"""The client's tests: navai's top-level modules (navai/_*.py), the navai command, the generated layer."""
