"""The composition root: settings are read here once and every part is built and wired."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from seaway.domain.process import StepType
from seaway.engine.agent_work import AgentWork
from seaway.engine.approval_timeout_items import CHANGE_REQUEST_REMINDER, CHANGE_REQUEST_TIMEOUT
from seaway.engine.approval_timeouts import ApprovalTimeouts
from seaway.engine.automatic import DeployOnPhaseEntry
from seaway.engine.change_request_links import CHANGE_REQUEST_LINKS, ChangeRequestLinkSender
from seaway.engine.change_requests import hold_if_content_changed
from seaway.engine.clock import Clock, SystemClock
from seaway.engine.deployer_notices import FinishInterruptions
from seaway.engine.faults import NO_FAULTS, FaultPoints
from seaway.engine.freeze_overrides import StartHoldWake
from seaway.engine.machines import StoreMachines
from seaway.engine.mail import SEND_EMAIL, MailDelivery, queue_email
from seaway.engine.metrics import EngineMetrics, ObserveStepDurations
from seaway.engine.orchestrator import RUN_TASK, FinishItem, Orchestrator
from seaway.engine.package_sources import FeedPackages
from seaway.engine.scheduled_checks import HEALTH_CHECK, ScheduledChecks
from seaway.engine.start_holds import START_HOLD
from seaway.engine.target_locks import TargetLocks
from seaway.engine.target_probes import SshProbe
from seaway.engine.targets import TargetProbe
from seaway.engine.task_runs import EngineConfig
from seaway.engine.worker import ItemLease, Worker
from seaway.notify.base import Notifier
from seaway.notify.smtp import SmtpNotifier, SmtpSettings
from seaway.packages.archives import ExtractLimits
from seaway.packages.files import PackageFiles
from seaway.security import tls
from seaway.security.secrets import MasterKey
from seaway.settings import Settings
from seaway.steps.base import StepExecutor
from seaway.steps.deploy_package import make_deploy_package_steps
from seaway.steps.manual_intervention import LinkSettings, make_manual_intervention_step
from seaway.steps.noop import run_noop
from seaway.steps.on_targets import OnMachine, on_targets
from seaway.steps.rolling import make_rolling_step
from seaway.steps.script import make_script_step
from seaway.steps.send_email import make_send_email_step
from seaway.store.database import Database
from seaway.store.queue import WorkItem
from seaway.store.unit_of_work import Store
from seaway.targets.local import LocalTarget


@dataclass
class Services:
    settings: Settings
    database: Database
    store: Store
    clock: Clock
    orchestrator: Orchestrator
    worker: Worker
    links: LinkSettings  # how emailed approval links are built: by the step, and when they are sent again
    package_files: PackageFiles  # the built-in feed's bytes
    package_sources: FeedPackages  # package files for releases and deployments, external feeds included
    installation_id: str  # stable for the installation (every node the same), for Octopus's root document
    metrics: EngineMetrics = field(default_factory=EngineMetrics)
    faults: FaultPoints = NO_FAULTS  # crash points, armed only by tests (SEAWAY_FAULTS_ENABLED)
    target_probe: TargetProbe = field(default_factory=SshProbe)  # how target machines are reached
    agents: AgentWork | None = None  # polling agents' work, both ends
    agent_certificate: tls.ServerCertificate | None = None  # what the agent listener presents

    async def close(self) -> None:
        await self.database.dispose()


def smtp_notifier(settings: Settings) -> Notifier | None:
    """SMTP when `SEAWAY_SMTP_HOST` is set; None keeps emails in the outbox."""
    if not settings.smtp_host:
        return None
    return SmtpNotifier(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            tls=settings.smtp_tls,
        )
    )


def build_services(
    settings: Settings, *, clock: Clock | None = None, target_probe: TargetProbe | None = None
) -> Services:
    clock = clock or SystemClock()
    data_dir = Path(settings.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.resolved_database_url(), idle_transaction_seconds=settings.lease_seconds)
    master_key = MasterKey.load_or_create(data_dir, settings.master_key)
    store = Store(database, master_key)
    faults = FaultPoints.parse(settings.fault, enabled=settings.faults_enabled)
    links = LinkSettings(settings.public_url, timedelta(hours=settings.approval_link_hours))
    package_files = PackageFiles(data_dir / "packages")
    package_sources = FeedPackages(
        store, package_files, PackageFiles(data_dir / "package-cache"), settings.package_max_bytes
    )
    applications_dir = data_dir / "applications"
    extract_limits = ExtractLimits(max_total_bytes=settings.package_extract_max_bytes)
    agents = AgentWork(store, clock, pickup_timeout=settings.agent_timeout_seconds)
    machines = StoreMachines(store, TargetLocks(store, clock, poll_seconds=settings.poll_seconds), agents=agents)
    on_machine: dict[StepType, OnMachine] = {
        StepType.SCRIPT: lambda target: make_script_step(target, settings.script_timeout_seconds),
        StepType.NOOP: lambda target: run_noop,
    }
    executors: dict[StepType, StepExecutor] = {
        StepType.SCRIPT: on_targets(
            make_script_step(LocalTarget(), settings.script_timeout_seconds), on_machine[StepType.SCRIPT], machines
        ),
        StepType.ROLLING: make_rolling_step(machines, on_machine),
        StepType.NOOP: run_noop,
        StepType.MANUAL_INTERVENTION: make_manual_intervention_step(store, queue_email, links),
        StepType.SEND_EMAIL: make_send_email_step(store, queue_email),
        StepType.DEPLOY_PACKAGE: make_deploy_package_steps(
            package_sources, machines, applications_dir, settings.script_timeout_seconds, extract_limits
        ),
    }
    metrics = EngineMetrics()
    orchestrator = Orchestrator(
        store,
        clock,
        executors,
        EngineConfig(work_dir=data_dir / "work", public_url=settings.public_url, applications_dir=applications_dir),
        on_finished=[
            DeployOnPhaseEntry(clock),
            FinishInterruptions(settings.public_url),
            ObserveStepDurations(metrics),
        ],
        faults=faults,
        start_gates=[hold_if_content_changed],
    )

    async def run_task(item: WorkItem, lease: ItemLease, finish: FinishItem) -> bool:
        return await orchestrator.advance(int(item.payload["task_id"]), lease, finish)

    target_probe = target_probe or SshProbe()
    approval_timeouts = ApprovalTimeouts(store, clock, links)
    worker = Worker(
        store,
        clock,
        {
            RUN_TASK: run_task,
            SEND_EMAIL: MailDelivery(store, clock, smtp_notifier(settings)),
            CHANGE_REQUEST_LINKS: ChangeRequestLinkSender(store, clock, links),
            CHANGE_REQUEST_TIMEOUT: approval_timeouts,
            CHANGE_REQUEST_REMINDER: approval_timeouts,
            HEALTH_CHECK: ScheduledChecks(store, target_probe, clock),
            START_HOLD: StartHoldWake(store, clock),
        },
        capacity=settings.task_cap,
        lease_seconds=settings.lease_seconds,
        poll_seconds=settings.poll_seconds,
        faults=faults,
        metrics=metrics,
    )
    store.wakers.append(worker.wake)
    return Services(
        settings,
        database,
        store,
        clock,
        orchestrator,
        worker,
        links,
        package_files,
        package_sources,
        master_key.installation_id,
        metrics,
        faults,
        target_probe,
        agents,
        tls.load_or_create(data_dir) if settings.agent_port else None,
    )
