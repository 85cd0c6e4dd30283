"""navai.integrations."""
