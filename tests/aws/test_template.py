"""deploy/aws/template.yaml: cfn-lint finds nothing, and its names are the project's own: every
AURORAVAULT_* variable is a setting with a valid value, the table is the one `auroravault migrate`
creates, the handlers are auroravault.aws modules, and no role may do more than its function needs."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cfnlint.api import lint
from cfnlint.decode import decode_str

from auroravault.config import DynamoDBSettings, Settings, load_settings
from auroravault.meta.dynamodb import DynamoMetaStore
from auroravault.meta.dynamodb.keys import TTL_ATTR
from auroravault.storage.base import original_key

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = ROOT / "deploy" / "aws" / "template.yaml"
TEXT = TEMPLATE.read_text()
HANDLERS = {
    "auroravault.aws.http.handler",
    "auroravault.aws.jobs_handler.handler",
    "auroravault.aws.events_handler.handler",
}


def _template() -> dict[str, Any]:
    template, errors = decode_str(TEXT)
    assert not errors and template is not None, errors
    return template


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in _template()["Resources"].items() if r["Type"] == kind}


def _settings_keys() -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for section in msgspec.structs.fields(Settings):
        keys[section.name] = {f.name for f in msgspec.structs.fields(section.type)}
    return keys


def _functions() -> dict[str, dict[str, Any]]:
    return _resources("AWS::Lambda::Function")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_cfn_lint_finds_nothing(region: str) -> None:
    assert [str(m) for m in lint(TEXT, regions=[region])] == []


def test_cfn_lint_would_catch_a_broken_template() -> None:
    broken = TEXT.replace("Runtime: python3.12", "Runtime: python3.99", 1).replace(
        "!GetAtt Table.Arn", "!GetAtt Tabel.Arn"
    )
    found = " ".join(str(m) for m in lint(broken, regions=["us-east-1"]))
    assert "python3.99" in found and "Tabel" in found


def test_every_environment_variable_is_a_setting_with_a_valid_value() -> None:
    keys = _settings_keys()
    native = {f.name for f in msgspec.structs.fields(Settings)}
    for name, function in _functions().items():
        variables = function["Properties"]["Environment"]["Variables"]
        constants: dict[str, str] = {}
        for var, value in variables.items():
            match = re.fullmatch(r"AURORAVAULT_([A-Z0-9]+)__([A-Z0-9_]+)", var)
            assert match, f"{name}: {var} is not AURORAVAULT_<SECTION>__<KEY>"
            section, key = match[1].lower(), match[2].lower()
            assert section in keys and key in keys[section], f"{name}: {var} is no setting"
            if isinstance(value, str) and section in native and not (section == "jobs" and key == "backend"):
                constants[var] = value
        # The literal values convert as the function would read them (Literal choices, bools, ints).
        load_settings(environ=constants)
        assert variables["AURORAVAULT_META__BACKEND"] == "dynamodb"
        assert variables["AURORAVAULT_STORAGE__BACKEND"] == "s3"
        assert variables["AURORAVAULT_JOBS__ENABLED"] == "false"  # no runner in a frozen container


def test_the_table_is_the_one_migrate_creates() -> None:
    (table,) = _resources("AWS::DynamoDB::Table").values()
    props = table["Properties"]
    spec = DynamoMetaStore(DynamoDBSettings(table="any"))._table_spec()
    assert props["KeySchema"] == spec["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(spec["AttributeDefinitions"], key=str)
    assert props["GlobalSecondaryIndexes"] == spec["GlobalSecondaryIndexes"]
    assert props["BillingMode"] == spec["BillingMode"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTR, "Enabled": True}


def test_the_handlers_are_auroravault_aws_modules() -> None:
    named = set()
    for function in _functions().values():
        props = function["Properties"]
        named.add(props.get("Handler") or props["ImageConfig"]["Command"][0])
    assert named == HANDLERS
    for path in sorted(named):
        module, _, attr = path.rpartition(".")
        assert re.fullmatch(r"auroravault\.aws\.[a-z_]+", module) and attr == "handler", path
        source = ROOT / (module.replace(".", "/") + ".py")
        assert source.parent == ROOT / "auroravault" / "aws"
        assert callable(getattr(importlib.import_module(module), attr))


def _statements() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, policy in _resources("AWS::IAM::ManagedPolicy").items():
        found += [(name, s) for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    for name, role in _resources("AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            found += [(name, s) for s in inline["PolicyDocument"]["Statement"]]
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_roles_allow_named_actions_on_named_resources_only() -> None:
    statements = _statements()
    assert len(statements) >= 10
    for owner, statement in statements:
        assert statement["Effect"] == "Allow"
        for action in _listed(statement["Action"]):
            assert "*" not in action, f"{owner}: {action}"
            assert action != "dynamodb:Scan", owner  # only `auroravault migrate` scans
        for resource in _listed(statement["Resource"]):
            assert resource != "*", f"{owner}: {statement}"
    roles = _resources("AWS::IAM::Role")
    assert {f["Properties"]["Role"]["Fn::GetAtt"][0] for f in _functions().values()} == set(roles)
    for role in roles.values():
        assert "ManagedPolicyArns" not in role["Properties"] or all(
            isinstance(arn, dict) for arn in role["Properties"]["ManagedPolicyArns"]
        ), "no AWS managed policies (they allow more than needed)"


def test_queues_redrive_and_the_functions_report_partial_batch_failures() -> None:
    queues = _resources("AWS::SQS::Queue")
    for name in ("JobsQueue", "EventsQueue"):
        redrive = queues[name]["Properties"]["RedrivePolicy"]
        assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [name.replace("Queue", "DeadLetterQueue"), "Arn"]}
    mappings = _resources("AWS::Lambda::EventSourceMapping").values()
    sources = {m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]: m["Properties"] for m in mappings}
    assert set(sources) == {"JobsQueue", "EventsQueue"}
    for props in sources.values():
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    functions = _functions()
    assert (
        functions["JobsFunction"]["Properties"]["Timeout"] * 6 <= queues["JobsQueue"]["Properties"]["VisibilityTimeout"]
    )
    assert (
        functions["EventsFunction"]["Properties"]["Timeout"] * 6
        <= queues["EventsQueue"]["Properties"]["VisibilityTimeout"]
    )


def test_the_jobs_function_relays_the_outbox_every_minute() -> None:
    # Jobs written by the HTTP and events functions are outbox rows until a relay sends them.
    rules = _resources("AWS::Events::Rule")
    scheduled = [r["Properties"] for r in rules.values() if "ScheduleExpression" in r["Properties"]]
    assert len(scheduled) == 1 and scheduled[0]["ScheduleExpression"] == "rate(1 minute)"
    (target,) = scheduled[0]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["JobsFunction", "Arn"]}
    assert json.loads(target["Input"]) == {"Records": []}
    permissions = _resources("AWS::Lambda::Permission").values()
    assert any(
        p["Properties"]["FunctionName"] == {"Ref": "JobsFunction"}
        and p["Properties"]["Principal"] == "events.amazonaws.com"
        for p in permissions
    )


def test_the_bucket_is_private_encrypted_and_tells_eventbridge() -> None:
    (bucket,) = _resources("AWS::S3::Bucket").values()
    props = bucket["Properties"]
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": {"Ref": "AbortMultipartDays"}}
    assert props["NotificationConfiguration"]["EventBridgeConfiguration"] == {"EventBridgeEnabled": True}
    rules = _resources("AWS::Events::Rule")
    created = rules["ObjectCreatedRule"]["Properties"]["EventPattern"]
    assert created["detail-type"] == ["Object Created"]
    # Only originals ({user}/{photo}/original) confirm uploads; thumbs and previews never trigger work.
    assert created["detail"]["object"]["key"] == [{"suffix": "/original"}]
    assert original_key("u_1", "p_1").endswith("/original") and not original_key("u_1", "p_1").startswith("/")
    domain = rules["DomainEventsRule"]["Properties"]["EventPattern"]
    assert domain["source"] == ["auroravault"]
    assert set(domain["detail-type"]) == {
        "user.registered",
        "photo.ready",
        "photo.deleted",
        "album.shared",
        "family.joined",
    }


# What only `auroravault migrate` calls (the operator's migrate policy, docs/aws.md), and what a
# transaction is authorised as: IAM has no Transact* actions, each item needs its own.
MIGRATE_ONLY = {"CreateTable", "UpdateTable", "DescribeTimeToLive", "UpdateTimeToLive", "Scan"}
TRANSACTIONS = {
    "TransactWriteItems": {"PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"},
    "TransactGetItems": {"GetItem"},
}
S3_ACTIONS = {
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
    "CopyObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
}


def test_the_functions_may_make_every_call_the_adapters_make_but_migrations() -> None:
    from tests.ops.test_compose import called_operations

    granted = {a for owner, s in _statements() if owner == "DataAccessPolicy" for a in _listed(s["Action"])}
    package = ROOT / "auroravault"
    modules = sorted((package / "meta" / "dynamodb").glob("*.py"))
    calls = set().union(*(called_operations(module, "dynamodb") for module in modules)) - MIGRATE_ONLY
    assert "TransactWriteItems" in calls and "Query" in calls
    needed = set().union(*(TRANSACTIONS.get(op, {op}) for op in calls))
    assert {f"dynamodb:{op}" for op in needed} <= granted
    s3 = called_operations(package / "storage" / "s3.py", "s3") - {"CreateBucket", "PutBucketCors"}
    assert s3 <= set(S3_ACTIONS), s3 - set(S3_ACTIONS)
    assert {S3_ACTIONS[op] for op in s3 | {"ListObjectsV2"}} <= granted
    assert "ses:SendRawEmail" in granted
