"""navai.integrations.openai_agents: NAVAI functions in the OpenAI Agents SDK."""
