"""The pytest plugin's parts; the entry point is `speccheck.pytest_plugin`."""
