"""A project's deployment process: ordered steps and the rules that decide whether each runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from seaway.domain.package_names import validate_package_id
from seaway.errors import InvalidInput


class StepType(StrEnum):
    SCRIPT = "script"
    MANUAL_INTERVENTION = "manual-intervention"
    SEND_EMAIL = "send-email"
    DEPLOY_PACKAGE = "deploy-package"
    KUBERNETES = "kubernetes"
    HTTP = "http"
    NOOP = "noop"  # does nothing; for benchmarks and process skeletons
    ROLLING = "rolling"  # runs its child steps as a unit on `window` of its targets at a time


class RunCondition(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    ALWAYS = "always"
    VARIABLE = "variable"


class StartTrigger(StrEnum):
    AFTER_PREVIOUS = "after-previous"
    WITH_PREVIOUS = "with-previous"


@dataclass(frozen=True)
class EnvironmentCondition:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()

    def allows(self, environment: str) -> bool:
        env = environment.lower()
        if self.only and env not in {e.lower() for e in self.only}:
            return False
        return env not in {e.lower() for e in self.skip}


# The properties each step type understands; the first set is required.
STEP_PROPERTIES: dict[StepType, tuple[frozenset[str], frozenset[str]]] = {
    StepType.SCRIPT: (
        frozenset({"script"}),
        frozenset({"syntax", "run_on", "roles", "timeout", "max_parallelism"}),
    ),
    StepType.MANUAL_INTERVENTION: (
        frozenset(),
        frozenset(
            {
                "instructions",
                "responsible_teams",
                "email_links",
                "block_deployments",
                "links_require_sign_in",
                "allow_self_approval",
            }
        ),
    ),
    StepType.SEND_EMAIL: (frozenset({"subject"}), frozenset({"to", "to_teams", "body", "is_html"})),
    StepType.DEPLOY_PACKAGE: (
        frozenset({"package"}),
        frozenset(
            {
                "run_on",
                "roles",
                "timeout",
                "substitute_in_files",
                "ignore_substitution_errors",
                "structured_variables",
                "install_to",
                "purge_install_to",
                "purge_exclusions",
                "run_package_scripts",
                "keep_installs",
                "max_parallelism",
            }
        ),
    ),
    StepType.KUBERNETES: (frozenset({"image"}), frozenset({"roles", "replicas", "port", "namespace"})),
    StepType.HTTP: (frozenset({"url"}), frozenset({"method", "headers", "body", "expected_status"})),
    StepType.NOOP: (frozenset(), frozenset()),
    StepType.ROLLING: (frozenset({"roles", "rolling"}), frozenset()),
}
# What a rolling step's children may be: steps that run on a target (they run on the parent's, so name none).
CHILD_STEP_TYPES = (StepType.SCRIPT, StepType.NOOP)
_TARGET_CHOICE = ("run_on", "roles", "max_parallelism")
MAX_PARALLELISM = 1000


MAX_SCRIPT_TIMEOUT = 30 * 24 * 3600  # NaN and infinity fail the range check too

# Step properties that are switches; a typo such as `ture` must not quietly mean false.
FLAG_PROPERTIES = (
    "email_links",
    "block_deployments",
    "links_require_sign_in",
    "allow_self_approval",
    "is_html",
    "ignore_substitution_errors",
    "purge_install_to",
    "run_package_scripts",
)
_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FLAG_WORDS = _TRUE_WORDS | frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class Step:
    name: str
    type: StepType
    properties: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True
    required: bool = False
    environments: EnvironmentCondition = EnvironmentCondition()
    run_condition: RunCondition = RunCondition.SUCCESS
    condition_expression: str | None = None  # the template for RunCondition.VARIABLE
    start: StartTrigger = StartTrigger.AFTER_PREVIOUS
    children: tuple[Step, ...] = ()  # a rolling step's child steps, run in order on each target

    def prop(self, name: str, default: Any = None) -> Any:
        return self.properties.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        """A switch property: a YAML boolean or one of the words true/false, yes/no, on/off, 1/0
        (`validate_process` refuses anything else)."""
        value = self.properties.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE_WORDS


def has_gates(process: Sequence[Step]) -> bool:
    """Whether a deployment of this process can stop for a person (the only source of interruptions)."""
    return any(step.type is StepType.MANUAL_INTERVENTION for step in process)


class SkipReason(StrEnum):
    DISABLED = "the step is disabled"
    ENVIRONMENT = "the step does not run in this environment"
    EARLIER_FAILURE = "an earlier step failed"
    NO_FAILURE = "the step runs only when an earlier step failed"
    CONDITION_FALSE = "its run condition is false"


def skip_reason(step: Step, environment: str, *, failed: bool, condition_true: bool | None) -> SkipReason | None:
    """Why `step` must be skipped, or None when it runs.

    `condition_true` is the evaluated variable expression for RunCondition.VARIABLE (None otherwise).
    """
    if not step.enabled:
        return SkipReason.DISABLED
    if not step.environments.allows(environment):
        return SkipReason.ENVIRONMENT
    if step.run_condition is RunCondition.SUCCESS and failed:
        return SkipReason.EARLIER_FAILURE
    if step.run_condition is RunCondition.FAILURE and not failed:
        return SkipReason.NO_FAILURE
    if step.run_condition is RunCondition.VARIABLE and not condition_true:
        return SkipReason.CONDITION_FALSE
    return None


def step_groups(steps: Sequence[Step]) -> list[list[int]]:
    """Indexes of steps grouped so that a `with-previous` step runs together with the one before it."""
    groups: list[list[int]] = []
    for index, step in enumerate(steps):
        if groups and step.start is StartTrigger.WITH_PREVIOUS:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def rolling_window(step: Step) -> int:
    """How many targets a rolling step runs its children on at once."""
    return int(step.prop("rolling", {}).get("window", 1))


def step_roles(steps: Sequence[Step], *, path: str) -> list[tuple[str, str]]:
    """Every (role, its path) the process's steps name to choose their targets (a step on the server chooses
    none, whatever roles it lists)."""
    found = []
    for index, step in enumerate(steps):
        if step.type is not StepType.ROLLING and str(step.prop("run_on", "server")) != "targets":
            continue
        roles = step.prop("roles")
        if isinstance(roles, list | tuple):
            found += [(str(role), f"{path}[{index}].roles[{r_index}]") for r_index, role in enumerate(roles)]
    return found


def validate_process(steps: Sequence[Step], known_environments: Sequence[str], *, path: str) -> None:
    """Check a whole process; errors name the path of the offending field."""
    _validate_steps(steps, known_environments, path=path, seen=set())


def _validate_steps(
    steps: Sequence[Step], known_environments: Sequence[str], *, path: str, seen: set[str], parent: Step | None = None
) -> None:
    known = {e.lower() for e in known_environments}
    for index, step in enumerate(steps):
        step_path = f"{path}[{index}]"
        if parent is not None:
            _validate_child(step, step_path)
        if not step.name or not step.name.strip():
            raise InvalidInput("a step needs a name", field=f"{step_path}.name")
        if step.name.lower() in seen:
            raise InvalidInput(f'step name "{step.name}" is used twice', field=f"{step_path}.name")
        seen.add(step.name.lower())
        for kind in ("only", "skip"):
            for e_index, env in enumerate(getattr(step.environments, kind)):
                if env.lower() not in known:
                    raise InvalidInput(
                        f'unknown environment "{env}"', field=f"{step_path}.environments.{kind}[{e_index}]"
                    )
        _validate_property_names(step, step_path)
        if step.run_condition is RunCondition.VARIABLE and not step.condition_expression:
            raise InvalidInput("a variable run condition needs an expression", field=f"{step_path}.run_condition")
        _validate_type_specific(step, step_path)
        _validate_rolling(step, step_path)
        if step.children:
            _validate_steps(step.children, known_environments, path=f"{step_path}.steps", seen=seen, parent=step)


def _validate_property_names(step: Step, step_path: str) -> None:
    required, optional = STEP_PROPERTIES[step.type]
    for name in sorted(required):
        if name not in step.properties or step.properties[name] in (None, ""):
            raise InvalidInput(f"a {step.type} step needs {name}", field=f"{step_path}.{name}")
    for name in step.properties:
        if name not in required | optional:
            raise InvalidInput(f'unknown property "{name}" for a {step.type} step', field=f"{step_path}.{name}")


def _validate_child(step: Step, step_path: str) -> None:
    if step.type not in CHILD_STEP_TYPES:
        kinds = ", ".join(str(t) for t in CHILD_STEP_TYPES)
        raise InvalidInput(f"a child step is one of: {kinds}; not {step.type}", field=f"{step_path}.type")
    for name in _TARGET_CHOICE:
        if name in step.properties:
            raise InvalidInput(
                f"a child step runs on its rolling step's targets; {name} belongs on the rolling step",
                field=f"{step_path}.{name}",
            )
    if step.start is StartTrigger.WITH_PREVIOUS:
        raise InvalidInput("child steps run one after another on each target", field=f"{step_path}.start")
    if step.run_condition is not RunCondition.SUCCESS:
        raise InvalidInput(
            "a child step runs while the ones before it on its target succeeded; give the rolling step the run "
            "condition instead",
            field=f"{step_path}.run_condition",
        )


def _validate_rolling(step: Step, step_path: str) -> None:
    """A rolling step's window and children; `max_parallelism` of any step."""
    if step.prop("max_parallelism") is not None:
        _whole_number(step.prop("max_parallelism"), f"{step_path}.max_parallelism", "max_parallelism")
    if step.type is not StepType.ROLLING:
        if step.children:
            raise InvalidInput("only a rolling step has child steps (rolling: {window: N})", field=f"{step_path}.steps")
        return
    rolling = step.prop("rolling")
    if not isinstance(rolling, Mapping) or set(rolling) != {"window"}:
        raise InvalidInput("rolling must be {window: N}", field=f"{step_path}.rolling")
    _whole_number(rolling["window"], f"{step_path}.rolling.window", "window")
    if not step.children:
        raise InvalidInput("a rolling step needs child steps (steps: [...])", field=f"{step_path}.steps")


def _whole_number(value: Any, field: str, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PARALLELISM:
        raise InvalidInput(f"{name} must be a whole number from 1 to {MAX_PARALLELISM}", field=field)


def _validate_type_specific(step: Step, step_path: str) -> None:
    if step.type is StepType.SCRIPT:
        syntax = step.prop("syntax", "bash")
        if syntax not in ("bash", "python"):
            raise InvalidInput(f'syntax must be bash or python, not "{syntax}"', field=f"{step_path}.syntax")
    if step.type is StepType.DEPLOY_PACKAGE:
        validate_package_step(step, step_path)
    if step.type in (StepType.SCRIPT, StepType.DEPLOY_PACKAGE):
        run_on = step.prop("run_on", "server")
        if run_on not in ("server", "targets"):
            raise InvalidInput(f'run_on must be server or targets, not "{run_on}"', field=f"{step_path}.run_on")
        if run_on == "targets" and not step.prop("roles"):
            raise InvalidInput("a step that runs on targets needs roles: which targets", field=f"{step_path}.roles")
        timeout = step.prop("timeout")
        if timeout is not None and (
            not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= MAX_SCRIPT_TIMEOUT
        ):
            raise InvalidInput(
                f"timeout must be a positive number of seconds, at most {MAX_SCRIPT_TIMEOUT} (30 days)",
                field=f"{step_path}.timeout",
            )
    for flag_prop in FLAG_PROPERTIES:
        value = step.prop(flag_prop)
        if value is not None and not isinstance(value, bool) and str(value).strip().lower() not in _FLAG_WORDS:
            raise InvalidInput(f"{flag_prop} must be true or false, not {value!r}", field=f"{step_path}.{flag_prop}")
    for list_prop in (
        "responsible_teams",
        "to",
        "to_teams",
        "roles",
        "substitute_in_files",
        "structured_variables",
        "purge_exclusions",
    ):
        value = step.prop(list_prop)
        if value is not None and not (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)):
            raise InvalidInput(f"{list_prop} must be a list of strings", field=f"{step_path}.{list_prop}")


def validate_package_step(step: Step, step_path: str) -> None:
    package = step.prop("package")
    if not isinstance(package, Mapping) or "id" not in package:
        raise InvalidInput("package must be {id: ..., feed: ...} (feed is optional)", field=f"{step_path}.package")
    for key in package:
        if key not in ("id", "feed"):
            raise InvalidInput(f'unknown key "{key}" (expected id, feed)', field=f"{step_path}.package.{key}")
    validate_package_id(str(package["id"]), field=f"{step_path}.package.id")
    feed = package.get("feed")
    if feed is not None and (not isinstance(feed, str) or not feed.strip()):
        raise InvalidInput("feed must be a feed name", field=f"{step_path}.package.feed")
    install_to = step.prop("install_to")
    if install_to is not None and (not isinstance(install_to, str) or not install_to.startswith(("/", "#{"))):
        raise InvalidInput("install_to must be an absolute path", field=f"{step_path}.install_to")
    keep = step.prop("keep_installs")
    if keep is not None and (not isinstance(keep, int) or isinstance(keep, bool) or not 1 <= keep <= 1000):
        raise InvalidInput("keep_installs must be a whole number from 1 to 1000", field=f"{step_path}.keep_installs")


def package_of(step: Step) -> tuple[str, str | None] | None:
    """The (package id, feed name or None for the built-in feed) a step deploys, or None."""
    package = step.prop("package")
    if step.type is not StepType.DEPLOY_PACKAGE or not isinstance(package, Mapping) or "id" not in package:
        return None
    feed = package.get("feed")
    return str(package["id"]), (str(feed) if feed else None)
