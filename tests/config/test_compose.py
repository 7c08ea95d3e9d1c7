"""The compose wiring, proved without building an image or running an engine.

The web process is started exactly as the image's CMD says, with the values of
.env.example (plus a local database), and the healthcheck command of docker-compose.yml
is run against it. The CMD binds port 8000 on every address; to use exactly that on a
shared machine, both run in a network namespace of their own (PostgreSQL is reached
through its Unix socket, which needs no network).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_SOCKET_DIR = "/var/run/postgresql"


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), per stage."""
    stages: list[list[str]] = []
    joined = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def image_instruction(name: str) -> str:
    (value,) = [line.split(" ", 1)[1] for line in dockerfile_stages()[-1] if line.upper().startswith(name + " ")]
    return value


def image_env() -> dict[str, str]:
    env = {}
    for line in dockerfile_stages()[-1]:
        if line.upper().startswith("ENV "):
            for pair in line.split()[1:]:
                key, _, value = pair.partition("=")
                env[key] = value.replace("$PATH", os.environ["PATH"]).replace("/opt/venv/bin", str(BIN))
    return env


def example_env() -> dict[str, str]:
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value
    return env


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def socket_database_url() -> str:
    name = connection.settings_dict["NAME"]
    user = connection.settings_dict.get("USER") or "postgres"
    return f"postgres://{user}@%2Fvar%2Frun%2Fpostgresql/{name}"


def namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)  # noqa: S607
    return probe.returncode == 0


@pytest.mark.django_db(transaction=True)
def test_the_image_command_with_the_example_settings_passes_the_compose_healthcheck(tmp_path):
    if connection.vendor != "postgresql" or not Path(PG_SOCKET_DIR).is_dir():
        pytest.skip("needs the local PostgreSQL (the compose file runs PostgreSQL; its socket is reached here)")
    if not namespaces_work():
        pytest.skip("needs `unshare --net` (root) to bind the image's port 8000 without touching the machine's")
    command = json.loads(image_instruction("CMD"))
    healthcheck = compose()["services"]["web"]["healthcheck"]["test"]
    assert healthcheck[0] == "CMD"
    app_environment = compose()["x-app"]["environment"]
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        **image_env(),
        **example_env(),
        # What compose itself sets, except where the services it names are this machine's.
        "BEHIND_TLS_PROXY": app_environment["BEHIND_TLS_PROXY"],
        "TRUSTED_PROXY_COUNT": app_environment["TRUSTED_PROXY_COUNT"],
        "DATABASE_URL": socket_database_url(),
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "var" / "media"),
        "WEB_CONCURRENCY": "1",
    }
    env["PATH"] = f"{BIN}:{os.environ['PATH']}"
    gunicorn = " ".join(_quote(part) for part in [str(BIN / command[0]), *command[1:]])
    # `python` is the image's (its venv is first on PATH); here the test's venv is.
    probe = " ".join(_quote(part) for part in healthcheck[1:])
    script = f"""
ip link set lo up
{gunicorn} > {tmp_path}/gunicorn.log 2>&1 &
server=$!
for attempt in $(seq 1 60); do
  if {probe}; then echo HEALTHY; kill $server; wait $server; exit 0; fi
  kill -0 $server 2>/dev/null || {{ echo "gunicorn exited"; exit 3; }}
  sleep 1
done
kill $server; exit 1
"""
    result = subprocess.run(  # noqa: S603
        ["unshare", "--net", "bash", "-c", script],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    log = (tmp_path / "gunicorn.log").read_text() if (tmp_path / "gunicorn.log").exists() else ""
    assert result.returncode == 0, result.stdout + result.stderr + log
    assert "HEALTHY" in result.stdout
    assert "Listening at: http://0.0.0.0:8000" in log


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def test_the_healthcheck_fails_when_nothing_answers():
    healthcheck = compose()["services"]["web"]["healthcheck"]["test"]
    if not namespaces_work():
        pytest.skip("needs `unshare --net` (root) to own port 8000")
    result = subprocess.run(  # noqa: S603
        ["unshare", "--net", *healthcheck[1:]],  # noqa: S607
        capture_output=True,
        timeout=60,
        check=False,
        env={"PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    assert result.returncode != 0


def test_compose_config_validates_with_the_example_env_file(tmp_path):
    if not shutil.which("docker-compose"):
        pytest.skip("Debian's docker-compose is not installed and could not be (deploy/tools.sh needs root)")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    result = subprocess.run(
        ["docker-compose", "config"],  # noqa: S607
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert "ports" not in services["web"], "web publishes no port, so it can be scaled"
    assert {port["target"] for port in services["proxy"]["ports"]} == {80, 443}
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert services["worker"]["healthcheck"]["test"][1].endswith("--destination celery@$$HOSTNAME")


def test_the_proxy_config_is_valid_caddy_configuration(tmp_path):
    if not shutil.which("caddy"):
        pytest.skip("Debian's caddy is not installed and could not be (deploy/tools.sh needs root)")
    result = subprocess.run(  # noqa: S603
        ["caddy", "validate", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SITE_ADDRESS": ":8080"},
    )
    assert result.returncode == 0, result.stderr


def test_the_image_leaves_secrets_tests_and_tools_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in [".env", ".git", "var", "**/node_modules", "tests", "bench", "chaos", "e2e", "screenshots"]:
        assert entry in ignored, entry


def test_the_runtime_stage_has_no_build_tools_and_runs_as_a_user():
    build, runtime = dockerfile_stages()
    assert any("gettext" in line for line in build)
    runtime_text = "\n".join(runtime)
    for tool in ("gettext", "gcc", "build-essential", "apt-get install"):
        assert tool not in runtime_text
    assert image_instruction("USER") == "app"
    assert image_instruction("HEALTHCHECK").startswith("--interval")
    command = json.loads(image_instruction("CMD"))
    assert "--max-requests" in command
    assert "WEB_CONCURRENCY=3" in runtime_text


def test_the_media_volume_is_created_for_the_app_user():
    runtime = "\n".join(dockerfile_stages()[-1])
    assert "mkdir -p /app/var/media && chown -R app:app /app/var" in runtime
    volumes = compose()["x-app"]["volumes"]
    assert "media:/app/var/media" in volumes
    assert "media:/srv/media:ro" in compose()["services"]["proxy"]["volumes"]


def test_the_beat_healthcheck_reads_the_heartbeat_beat_writes():
    test = compose()["services"]["beat"]["healthcheck"]["test"]
    assert test[1:4] == ["python", "-m", "config.heartbeat"]
