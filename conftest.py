"""Load the doctor's pytest plugin (options and fixtures) for every run in this project."""

pytest_plugins = ["wa_doctor.pytest_plugin"]
