from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml
from prefect import Flow

ROOT = Path(__file__).parents[2]


def test_every_prefect_yaml_entrypoint_is_a_flow_with_the_declared_parameters() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = config["deployments"]
    assert deployments
    for deployment in deployments:
        file, _, name = deployment["entrypoint"].partition(":")
        spec = importlib.util.spec_from_file_location(f"entrypoint_{name}", ROOT / file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        flow = getattr(module, name)
        assert isinstance(flow, Flow), deployment["name"]
        declared = set(deployment.get("parameters", {}))
        accepted = set(flow.parameters.properties)
        assert declared <= accepted, f"{deployment['name']}: unknown {declared - accepted}"
