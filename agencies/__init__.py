"""Agencies: the registry, the built-in audit tools, access and the agency portal."""
