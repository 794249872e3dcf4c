"""`infra/template.yaml` against the code: the template deploys exactly the routes the functions serve."""

from jtec_forms.routes import ROUTES
from local.stack import read_template


def template_routes():
    """(method, path, handler module) for every HTTP API event of every function in the template."""
    wired = set()
    for resource in read_template()["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        handler_module = resource["Properties"]["Handler"].removesuffix(".lambda_handler")
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "HttpApi":
                wired.add((event["Properties"]["Method"], event["Properties"]["Path"], handler_module))
    return wired


def test_the_template_wires_exactly_the_routes_of_the_route_table():
    assert template_routes() == {(route.method, route.path, route.handler_module) for route in ROUTES}


def test_every_handler_the_template_names_exists():
    import importlib

    for _, _, module in template_routes():
        assert callable(importlib.import_module(module).lambda_handler)
