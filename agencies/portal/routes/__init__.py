"""The portal's routes, one module per area; guards are the Annotated types of agencies/deps.py.

May import the rest of agencies/portal/, agencies/deps.py, the registry modules of agencies/,
flows/ (outside flows/cli/), notifications/ and models/; never agencies/api/.
"""
