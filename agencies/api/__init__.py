"""The JSON API for agency systems under /api/v1, authenticated by per-agency API keys."""
