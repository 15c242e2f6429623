"""The portal's routes, one module per area; guards are the Annotated types of agencies/deps.py."""
