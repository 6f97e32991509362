"""Makes `tests.*` importable and registers the shared fixture plugins."""

pytest_plugins = [
    "tests.fixtures.smtp_server",
    "tests.fixtures.databases",
    "tests.fixtures.engine",
    "tests.fixtures.web",
    "tests.fixtures.nuget_feed",
    "tests.fixtures.sshd",
    "tests.fixtures.browser",
]
