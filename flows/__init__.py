"""Workflows: one package per stage, each holding its services beside its Prefect flow (flow.py).

Packages: register/ rounds/ answers/ chase/ reconcile/ action_plan/ report/ programme/
retention/ dispatch/; orchestration.py (Prefect's defaults and the retry rule); cli/ (the
`jointaudit` command, the `up` supervisor and the demo). Outside cli/, flows/ may import
models/ and notifications/ only; nothing outside cli/ imports cli/.
"""
