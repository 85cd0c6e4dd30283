"""navai.mcp: NAVAI functions as an MCP server."""
