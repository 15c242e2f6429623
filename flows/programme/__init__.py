"""The audit programme for the year: a YAML plan, launched on time by a scheduled flow."""
