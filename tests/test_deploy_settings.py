import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_check_without_warnings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x7#kq!vP2m$Lr9wZt4bN8cJd6hFs3gYe1aUo5iRnXlWq0zT-pQ8vW2yE6uI",
        "DJANGO_ALLOWED_HOSTS": "leeway.acme.example",
        "LEEWAY_BASE_URL": "https://leeway.acme.example",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_refuses_to_load_without_debug(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo")
