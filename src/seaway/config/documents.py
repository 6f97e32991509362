"""The config-as-code document: YAML (or its JSON form) → validated domain objects.

Shape checks happen here and name the YAML path (`projects[0].process[2].environments.skip[0]`); checks
that need what is already stored (an environment defined earlier) happen when the document is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import yaml

from seaway.config.access_documents import parse_roles, parse_team, parse_user
from seaway.config.freeze_documents import parse_freezes
from seaway.config.machine_policy_documents import parse_machine_policies
from seaway.config.policy_documents import parse_policies
from seaway.config.reader import Node
from seaway.config.secret_references import secret_text
from seaway.config.tag_documents import parse_environment, parse_tags
from seaway.config.target_documents import parse_accounts, parse_targets
from seaway.domain.channels import Channel, VersionRule
from seaway.domain.environments import validate_name
from seaway.domain.freezes import Freeze
from seaway.domain.lifecycles import Lifecycle, Phase
from seaway.domain.machine_policies import MachinePolicy
from seaway.domain.packages import Feed, FeedType, is_builtin
from seaway.domain.policies import ApprovalPolicy
from seaway.domain.process import STEP_PROPERTIES, EnvironmentCondition, RunCondition, StartTrigger, Step, StepType
from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.roles import Role
from seaway.domain.semver import VersionRange
from seaway.domain.targeting import Connectivity
from seaway.domain.targets import Account, DeploymentTarget
from seaway.domain.users import Team, User
from seaway.domain.variables import SCOPE_KEYS, Prompt, Scope, Variable
from seaway.errors import InvalidInput

TOP_LEVEL = {
    "environments",
    "lifecycles",
    "roles",
    "users",
    "teams",
    "projects",
    "library_variable_sets",
    "feeds",
    "accounts",
    "targets",
    "machine_policies",
    "approval_policies",
    "freezes",
}
NOT_ENFORCED_YET: tuple[str, ...] = ()
# A scope key may be written in the singular or the plural; both name the same dimension.
_SCOPE_DIMENSIONS = {**{key: key for key in SCOPE_KEYS}, **{single: key for key, single in SCOPE_KEYS.items()}}
COMMON_STEP_KEYS = {"name", "type", "enabled", "required", "environments", "run_condition", "start", "steps"}


@dataclass(frozen=True)
class SpaceDocument:
    environments: tuple[str, ...] = ()
    lifecycles: tuple[tuple[Lifecycle, str], ...] = ()  # (lifecycle, its YAML path)
    roles: tuple[tuple[Role, str], ...] = ()  # custom roles
    users: tuple[tuple[User, str], ...] = ()
    teams: tuple[tuple[Team, str], ...] = ()
    library_variable_sets: tuple[tuple[LibraryVariableSet, str], ...] = ()
    projects: tuple[tuple[Project, str], ...] = ()
    feeds: tuple[tuple[Feed, str], ...] = ()
    accounts: tuple[tuple[Account, str], ...] = ()
    targets: tuple[tuple[DeploymentTarget, str], ...] = ()
    policies: tuple[tuple[ApprovalPolicy, str], ...] = ()
    machine_policies: tuple[tuple[MachinePolicy, str], ...] = ()
    warnings: tuple[str, ...] = field(default=())
    freezes: tuple[tuple[Freeze, str], ...] = ()
    environment_tags: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, tags) of entries that set tags


class _UniqueKeyLoader(yaml.SafeLoader):
    """A mapping that names a key twice is refused: YAML loaders keep the last one and drop the rest quietly."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):  # left to the constructor, which refuses unhashable keys
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'found the key "{key}" twice in one mapping', key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(f"the document is not valid YAML{where}: {problem}", field="document") from exc


def parse_document(data: Any) -> SpaceDocument:
    root = Node(data if data is not None else {}, "")
    top = root.mapping(TOP_LEVEL)
    entries = [parse_environment(n) for n in top["environments"].items()] if "environments" in top else []
    names = _names(Node([name for name, _ in entries], "environments")) if entries else ()
    warnings = tuple(
        f"{key}: accepted but not enforced by this version of Seaway" for key in NOT_ENFORCED_YET if key in top
    )
    return SpaceDocument(
        environment_tags=tuple((name, tags) for name, tags in entries if tags is not None),
        environments=names,
        lifecycles=tuple((parse_lifecycle(n), n.path) for n in top["lifecycles"].items())
        if "lifecycles" in top
        else (),
        roles=parse_roles(top["roles"]) if "roles" in top else (),
        users=tuple((parse_user(n), n.path) for n in top["users"].items()) if "users" in top else (),
        teams=tuple((parse_team(n), n.path) for n in top["teams"].items()) if "teams" in top else (),
        library_variable_sets=tuple((_variable_set(n), n.path) for n in top["library_variable_sets"].items())
        if "library_variable_sets" in top
        else (),
        projects=tuple((parse_project(n), n.path) for n in top["projects"].items()) if "projects" in top else (),
        feeds=tuple((parse_feed(n), n.path) for n in top["feeds"].items()) if "feeds" in top else (),
        accounts=parse_accounts(top["accounts"]) if "accounts" in top else (),
        targets=parse_targets(top["targets"]) if "targets" in top else (),
        policies=parse_policies(top["approval_policies"]) if "approval_policies" in top else (),
        machine_policies=parse_machine_policies(top["machine_policies"]) if "machine_policies" in top else (),
        warnings=warnings,
        freezes=parse_freezes(top["freezes"]) if "freezes" in top else (),
    )


def _names(node: Node) -> tuple[str, ...]:
    result: list[str] = []
    for item in node.items():
        name = _name(item)
        if name.lower() in {r.lower() for r in result}:
            raise item.fail(f'"{name}" is listed twice')
        result.append(name)
    return tuple(result)


def _name(node: Node) -> str:
    return validate_name(node.string(), field=node.path)


def parse_lifecycle(node: Node) -> Lifecycle:
    m = node.mapping({"name", "phases"}, {"name", "phases"})
    phases = []
    for p in m["phases"].items():
        pm = p.mapping({"name", "environments", "optional", "minimum", "automatic"}, {"name", "environments"})
        environments = tuple(_name(e) for e in pm["environments"].items())
        automatic: tuple[str, ...] = ()
        if "automatic" in pm:
            # `automatic: true` deploys to every environment of the phase; a list names some of them.
            automatic = (
                environments
                if pm["automatic"].value is True
                else (() if pm["automatic"].value is False else pm["automatic"].strings())
            )
        phases.append(
            Phase(
                name=_name(pm["name"]),
                environments=environments,
                optional=pm["optional"].boolean() if "optional" in pm else False,
                minimum=pm["minimum"].integer(minimum=0) if "minimum" in pm else None,
                automatic=automatic,
            )
        )
    return Lifecycle(name=_name(m["name"]), phases=tuple(phases))


def _variable_set(node: Node) -> LibraryVariableSet:
    m = node.mapping({"name", "variables"}, {"name"})
    variables = tuple(parse_variable(v) for v in m["variables"].items()) if "variables" in m else ()
    return LibraryVariableSet(name=_name(m["name"]), variables=variables)


def parse_variable(node: Node) -> Variable:
    m = node.mapping({"name", "value", "scope", "sensitive", "prompt"}, {"name"})
    scope = Scope()
    if "scope" in m:
        sm = m["scope"].mapping(set(_SCOPE_DIMENSIONS))
        values: dict[str, frozenset[str]] = {}
        for key, value in sm.items():
            values[_SCOPE_DIMENSIONS[key]] = frozenset(value.strings())
        scope = Scope(**values)
    prompt = None
    if "prompt" in m:
        pm = m["prompt"].mapping({"label", "description", "required"})
        prompt = Prompt(
            label=pm["label"].string() if "label" in pm else m["name"].string(),
            description=pm["description"].string(allow_empty=True) if "description" in pm else "",
            required=pm["required"].boolean() if "required" in pm else False,
        )
    return Variable(
        name=m["name"].string(),
        value=secret_text(m["value"], allow_empty=True) if "value" in m and m["value"].value is not None else "",
        scope=scope,
        sensitive=m["sensitive"].boolean() if "sensitive" in m else False,
        prompt=prompt,
    )


def parse_feed(node: Node) -> Feed:
    m = node.mapping({"name", "type", "url", "username", "password"}, {"name", "type", "url"})
    type_text = m["type"].string()
    if type_text not in {t.value for t in FeedType}:
        raise m["type"].fail(f'unknown feed type "{type_text}" (one of: {", ".join(t.value for t in FeedType)})')
    url = m["url"].string()
    if not url.startswith(("http://", "https://")):
        raise m["url"].fail("must be an http:// or https:// URL (a NuGet v3 service index)")
    name = _name(m["name"])
    if is_builtin(name):
        raise m["name"].fail(f'"{name}" is the built-in feed\'s name')
    return Feed(
        name=name,
        type=FeedType(type_text),
        url=url,
        username=m["username"].string() if "username" in m else None,
        password=secret_text(m["password"]) if "password" in m else None,
    )


def _channel(node: Node) -> Channel:
    m = node.mapping({"name", "lifecycle", "rules"}, {"name"})
    rules = []
    for rule_node in m["rules"].items() if "rules" in m else ():
        r = rule_node.mapping({"step", "versions", "tag"}, {"step"})
        versions = r["versions"].string() if "versions" in r else None
        if versions is not None:
            VersionRange.parse(versions, field=r["versions"].path)
        rules.append(
            VersionRule(r["step"].string(), versions, r["tag"].string(allow_empty=True) if "tag" in r else None)
        )
    return Channel(_name(m["name"]), _name(m["lifecycle"]) if "lifecycle" in m else None, tuple(rules))


def parse_project(node: Node) -> Project:
    m = node.mapping(
        {
            "name",
            "lifecycle",
            "description",
            "variables",
            "process",
            "include",
            "channels",
            "release_on_push",
            "connectivity",
            "tags",
        },
        {"name"},
    )
    release_on_push = None
    if "release_on_push" in m:
        release_on_push = m["release_on_push"].mapping({"step"}, {"step"})["step"].string()
    return Project(
        channels=tuple(_channel(c) for c in m["channels"].items()) if "channels" in m else (),
        release_on_push=release_on_push,
        name=_name(m["name"]),
        lifecycle=_name(m["lifecycle"]) if "lifecycle" in m else None,
        description=m["description"].string(allow_empty=True) if "description" in m else "",
        variables=tuple(parse_variable(v) for v in m["variables"].items()) if "variables" in m else (),
        process=tuple(_step(s) for s in m["process"].items()) if "process" in m else (),
        includes=m["include"].strings() if "include" in m else (),
        connectivity=parse_connectivity(m["connectivity"]) if "connectivity" in m else Connectivity(),
        tags=parse_tags(m["tags"]) if "tags" in m else (),
    )


def parse_connectivity(node: Node) -> Connectivity:
    """Which matching targets a deployment may leave out (`domain.targeting`); every switch is off by default."""
    names = {f.name for f in fields(Connectivity)}
    return Connectivity(**{key: value.boolean() for key, value in node.mapping(names).items()})


def parse_step(node: Node) -> Step:
    return _step(node)


def _step(node: Node) -> Step:
    raw = node.mapping(set(node.value) if isinstance(node.value, dict) else set(), set())
    if "type" not in raw and "rolling" in raw:
        raw["type"] = Node(StepType.ROLLING.value, node.child_path("type"))
    if "type" not in raw:
        raise Node(None, node.child_path("type")).fail(
            "is required (one of: " + ", ".join(t.value for t in StepType) + ")"
        )
    type_text = raw["type"].string()
    try:
        step_type = StepType(type_text)
    except ValueError:
        raise raw["type"].fail(
            f'unknown step type "{type_text}" (one of: {", ".join(t.value for t in StepType)})'
        ) from None
    required, optional = STEP_PROPERTIES[step_type]
    m = node.mapping(COMMON_STEP_KEYS | required | optional, {"name"} | required)
    properties: dict[str, Any] = {}
    for key in sorted(required | optional):
        if key in m:
            properties[key] = _property(m[key])
    run_condition, expression = RunCondition.SUCCESS, None
    if "run_condition" in m:
        rc = m["run_condition"]
        if isinstance(rc.value, dict):
            expression = rc.mapping({"variable"}, {"variable"})["variable"].string()
            run_condition = RunCondition.VARIABLE
        else:
            text = rc.string()
            if text not in ("success", "failure", "always"):
                raise rc.fail(f'expected success, failure, always or {{variable: "#{{...}}"}}, got "{text}"')
            run_condition = RunCondition(text)
    start = StartTrigger.AFTER_PREVIOUS
    if "start" in m:
        text = m["start"].string()
        if text not in ("after-previous", "with-previous"):
            raise m["start"].fail(f'expected after-previous or with-previous, got "{text}"')
        start = StartTrigger(text)
    environments = EnvironmentCondition()
    if "environments" in m:
        em = m["environments"].mapping({"only", "skip"})
        environments = EnvironmentCondition(
            only=em["only"].strings() if "only" in em else (), skip=em["skip"].strings() if "skip" in em else ()
        )
    return Step(
        name=_name(m["name"]),
        type=step_type,
        properties=properties,
        enabled=m["enabled"].boolean() if "enabled" in m else True,
        required=m["required"].boolean() if "required" in m else False,
        environments=environments,
        run_condition=run_condition,
        condition_expression=expression,
        start=start,
        children=tuple(_step(child) for child in m["steps"].items()) if "steps" in m else (),
    )


def _property(node: Node) -> Any:
    value = node.value
    if isinstance(value, list):
        return list(node.strings())
    if isinstance(value, dict):
        return {k: _property(v) for k, v in node.mapping(set(value)).items()}
    return value
