"""The production compose file names every service and every setting the code reads, publishes no port a replica
would fight over, and its proxy (deploy/Caddyfile) sends every route the four apps declare to the app that owns it.

The Caddyfile is read here by a small model of the part of Caddy's syntax it uses (named `path` matchers, `handle`
blocks, `reverse_proxy` to a service, `rewrite`, `respond`); a form the model does not know fails the test rather
than being guessed. Where the `caddy` binary is installed (.ci/run installs it), Caddy's own reading of the file
(`caddy adapt`) must route every path the same way."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import iter_route_contexts
from pydantic import ValidationError
from starlette.routing import Mount

from lapkin.supervisor import LOG_KEEP, Supervisor, process_definitions
from services.openapi import SERVICES, built
from shared.config import Settings
from shared.httphead import HTTP_PROTOCOL

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
CADDYFILE = DEPLOY / "Caddyfile"

# Paths every app serves (shared/service.py build_app): where the one public address sends each. None: not served
# through the proxy (metrics are per process: scraped from each replica; each service's health is /healthz/<service>).
SHARED = {
    "/healthz": None,
    "/metrics": None,
    "/openapi.json": "collector",  # the agency API's contract and its page (docs/integration.md)
    "/docs": "collector",
    "/docs/oauth2-redirect": "collector",
    "/redoc": "collector",
}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if alias is not None:
        return alias.choices[0]  # type: ignore[union-attr]
    return f"LAPKIN_{field.upper()}"


def test_compose_runs_every_service_of_the_process_definitions():
    services = compose()["services"]
    for name, spec in process_definitions().items():
        assert name in services, f"{name} missing from compose.yaml"
        assert spec["app"] in services[name]["command"]


def uvicorn_flags(command: list[str]) -> list[str]:
    """The options after the app, without the address: what a compose service and `lapkin up` must agree on."""
    out, skip = [], False
    for arg in command[command.index("--factory") + 2 :]:
        if skip:
            skip = False
        elif arg in ("--host", "--port"):
            skip = True
        elif arg != "--proxy-headers":  # behind the proxy only (compose); `lapkin up` is reached directly
            out.append(arg)
    return out


def test_compose_runs_uvicorn_as_lapkin_up_does():
    """The bounded protocol (shared/httphead.py), the graceful-shutdown timeout, no access log, and no
    `--limit-concurrency` (it counted half-sent connections): a container behaves like the supervised process
    (outsider finding 11e)."""
    services = compose()["services"]
    supervisor = Supervisor(Settings(), {})  # type: ignore[call-arg]
    for name in process_definitions():
        expected = uvicorn_flags(supervisor.command(name))
        assert uvicorn_flags(services[name]["command"]) == expected, name
        assert "--limit-concurrency" not in expected and expected[expected.index("--http") + 1] == HTTP_PROTOCOL
    grace = int(
        supervisor.command("collector")[supervisor.command("collector").index("--timeout-graceful-shutdown") + 1]
    )
    assert int(compose()["x-lapkin"]["stop_grace_period"].removesuffix("s")) > grace  # Docker's SIGKILL comes later


def test_compose_sets_every_setting_the_code_reads():
    env = compose()["x-lapkin"]["environment"]
    missing = [env_name(f) for f in Settings.model_fields if f != "consumer_name" and env_name(f) not in env]
    assert not missing, f"compose.yaml does not set {missing}"


def test_docker_rotates_the_services_logs_as_lapkin_up_rotates_its_own():
    """A container's log otherwise grows for as long as it runs (Docker's json-file driver keeps every line)."""
    logging = compose()["x-lapkin"]["logging"]
    size = logging["options"]["max-size"]
    assert logging["driver"] == "json-file" and size.endswith("m")
    assert int(size.removesuffix("m")) * 1024 * 1024 == Settings().log_max_bytes
    assert int(logging["options"]["max-file"]) == LOG_KEEP + 1  # the current file and the older parts
    assert int(compose()["x-lapkin"]["environment"]["LAPKIN_LOG_MAX_BYTES"]) == Settings().log_max_bytes


def test_redis_conf_keeps_every_event():
    conf = (DEPLOY / "redis.conf").read_text()
    assert "appendonly yes" in conf and "maxmemory-policy noeviction" in conf


COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def compose_environment(given: dict[str, str]) -> dict[str, str]:
    """The services' environment as compose makes it: `${NAME:-default}` is `given[NAME]`, else the default, else ""
    (a deploy/.env of `given`); an unset optional setting arrives empty."""
    env = compose()["x-lapkin"]["environment"]
    return {k: COMPOSE_VARIABLE.sub(lambda m: given.get(m[1], m[2] or ""), str(v)) for k, v in env.items()}


def test_under_compose_a_service_reaches_another_by_its_name(monkeypatch):
    """LAPKIN_HOST is 0.0.0.0 there (listen everywhere): as an address to call, that is the caller's own container."""
    for name, value in compose_environment({"POSTGRES_PASSWORD": "x"}).items():
        monkeypatch.setenv(name, value)
    assert Settings().base_url("renderer") == f"http://renderer:{ports()['renderer']}"
    assert Settings(service_host=None).base_url("renderer") == "http://0.0.0.0:8004"
    assert Settings().file_store == "database" and Settings().s3_bucket is None  # the S3 settings: empty, unused


def test_under_compose_the_s3_store_is_chosen_in_the_env_file(monkeypatch):
    """LAPKIN_FILE_STORE=s3 with the bucket's settings works; without them the services refuse to start, naming
    each one that is missing (shared/config.py)."""
    s3 = {"LAPKIN_FILE_STORE": "s3", "LAPKIN_S3_ENDPOINT_URL": "http://minio:9000", "LAPKIN_S3_BUCKET": "lapkin",
          "LAPKIN_S3_ACCESS_KEY": "lapkin", "LAPKIN_S3_SECRET_KEY": "s3cr3t"}  # fmt: skip
    for name, value in compose_environment(s3).items():
        monkeypatch.setenv(name, value)
    chosen = Settings()
    assert (chosen.file_store, chosen.s3_endpoint_url, chosen.s3_region, chosen.s3_prefix) == (
        "s3", "http://minio:9000", "us-east-1", "")  # fmt: skip
    for name, value in compose_environment({"LAPKIN_FILE_STORE": "s3"}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert {e["loc"][0] for e in refused.value.errors()} == {
        "s3_endpoint_url", "s3_bucket", "s3_access_key", "s3_secret_key"}  # fmt: skip


# ---- ports and the proxy in compose ----------------------------------------------------------------------------


def published_port_problems(services: dict[str, Any]) -> list[str]:
    """Compose refuses a second replica of a service that binds a fixed host port ("port is already allocated")."""
    return [
        f"{name}: {spec.get('deploy', {}).get('replicas')} replicas publish {spec['ports']}"
        for name, spec in services.items()
        if spec.get("ports") and int(spec.get("deploy", {}).get("replicas", 1)) > 1
    ]


def test_a_replicated_service_publishes_no_port():
    assert not published_port_problems(compose()["services"])
    # the rule finds what compose refused before the proxy: the collector's two replicas on 8001
    before = {"collector": {"ports": ["8001:8001"], "deploy": {"replicas": 2}}, "approval": {"ports": ["8003:8003"]}}
    assert published_port_problems(before) == ["collector: 2 replicas publish ['8001:8001']"]


def test_only_the_proxy_publishes_ports():
    services = compose()["services"]
    assert [name for name, spec in services.items() if spec.get("ports")] == ["proxy"]
    assert services["proxy"]["volumes"][0] == "./Caddyfile:/etc/caddy/Caddyfile:ro"


def command_port(command: list[str]) -> int:
    return int(command[command.index("--port") + 1])


def test_services_trust_forwarded_headers_from_the_proxy_only():
    """The login rate limit counts per client address: behind the proxy that address is X-Forwarded-For, which a
    service must take from the proxy and from no one else."""
    c = compose()
    services = c["services"]
    proxy_ip = services["proxy"]["networks"]["edge"]["ipv4_address"]
    subnet = ipaddress.ip_network(c["networks"]["edge"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_ip) in subnet
    assert c["x-lapkin"]["environment"]["FORWARDED_ALLOW_IPS"] == proxy_ip
    for name in SERVICES:
        assert "--proxy-headers" in services[name]["command"], name
        assert "edge" in services[name]["networks"], f"{name} is not on the proxy's network"
        assert "--forwarded-allow-ips" not in services[name]["command"], f"{name}: one trusted address, in x-lapkin"
    assert "edge" not in services["postgres"]["networks"] and "edge" not in services["redis"]["networks"]


# ---- the Caddyfile, as far as this proxy uses it ---------------------------------------------------------------


@dataclass
class Node:
    tokens: list[str]
    children: list[Node] = field(default_factory=list)


def parse_caddyfile(text: str) -> list[Node]:
    """Lines of tokens; a line ending in `{` opens a block that a line `}` closes."""
    root = Node([])
    stack = [root]
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line == "}":
            stack.pop()
            continue
        tokens = line.split()
        opens = tokens[-1] == "{"
        node = Node(tokens[:-1] if opens else tokens)
        assert '"' not in line and "{" not in node.tokens[1:], f"Caddyfile:{number}: not in this test's model"
        stack[-1].children.append(node)
        if opens:
            stack.append(node)
    assert len(stack) == 1, "Caddyfile: a block is not closed"
    return root.children


@dataclass(frozen=True)
class Target:
    """Where a request goes: a service (at a port, its path rewritten or not), or the proxy's own answer."""

    service: str | None
    port: int | None = None
    rewrite: str | None = None
    status: int | None = None


def path_matches(pattern: str, path: str) -> bool:
    """Caddy's path matcher: exact, or a prefix when it ends in `*`; case-insensitive."""
    assert "*" not in pattern[:-1], f"path pattern {pattern!r}: only a trailing * is in this test's model"
    if pattern.endswith("*"):
        return path.lower().startswith(pattern[:-1].lower())
    return path.lower() == pattern.lower()


def target_of(block: Node) -> Target:
    kinds = {child.tokens[0]: child for child in block.children}
    assert set(kinds) <= {"reverse_proxy", "rewrite", "respond"}, f"handle block {kinds}: not in this test's model"
    if "respond" in kinds:
        return Target(None, status=int(kinds["respond"].tokens[1]))
    proxy = kinds["reverse_proxy"]
    if len(proxy.tokens) > 1:
        host, port = proxy.tokens[1].split(":")
    else:
        (dynamic,) = [c for c in proxy.children if c.tokens[0] == "dynamic"]
        assert dynamic.tokens[1] == "a", dynamic.tokens
        host, port = dynamic.tokens[2], dynamic.tokens[3]
    rewrite = kinds["rewrite"].tokens[2] if "rewrite" in kinds else None
    return Target(host, int(port), rewrite)


@dataclass
class Proxy:
    routes: list[tuple[list[str], Target]]  # each `handle` with a matcher: its path patterns
    fallback: Target | None  # the `handle` without one

    def route(self, path: str) -> Target | None:
        found = [target for patterns, target in self.routes if any(path_matches(p, path) for p in patterns)]
        assert len(found) <= 1, f"{path} is matched by more than one handle block: {found}"
        return found[0] if found else self.fallback


def read_proxy(text: str) -> Proxy:
    (site,) = [n for n in parse_caddyfile(text) if n.tokens and n.tokens[0].startswith("{$LAPKIN_HOST_NAME")]
    matchers: dict[str, list[str]] = {}
    for node in site.children:
        if node.tokens[0].startswith("@"):
            lines = [c.tokens for c in node.children] if node.children else [node.tokens[1:]]
            assert all(t[0] == "path" for t in lines), f"{node.tokens[0]}: only path matchers in this test's model"
            matchers[node.tokens[0]] = [p for t in lines for p in t[1:]]
    proxy = Proxy([], None)
    for node in site.children:
        if node.tokens[0] != "handle":
            continue
        target = target_of(node)
        if len(node.tokens) == 1:
            assert proxy.fallback is None, "two handle blocks without a matcher"
            proxy.fallback = target
        else:
            matcher = node.tokens[1]
            proxy.routes.append((matchers[matcher] if matcher.startswith("@") else [matcher], target))
    return proxy


def sample(path: str) -> str:
    """A path the route answers: each {parameter} filled in (a `.{fmt}` as pdf)."""
    return re.sub(r"\{[^}]+\}", "x1", path.replace(".{fmt}", ".pdf"))


@pytest.fixture(scope="module")
def declared() -> dict[str, set[str]]:
    """Every path each app declares, from its real composition (a mount as one file under it)."""
    paths: dict[str, set[str]] = {}
    for service in SERVICES:
        with built(service) as app:
            paths[service] = {
                r.path + "/app.css" if isinstance(r.original_route, Mount) else r.path
                for r in iter_route_contexts(app.routes)
            }
    return paths


def expected_routing(declared: dict[str, set[str]]) -> dict[str, str | None]:
    """path -> the service the proxy must send it to: its owner, or for a path several apps serve, SHARED's say."""
    owners: dict[str, list[str]] = {}
    for service, paths in declared.items():
        for path in paths:
            owners.setdefault(path, []).append(service)
    unsaid = sorted(p for p, o in owners.items() if len(o) > 1 and p not in SHARED)
    assert not unsaid, f"served by several services, say in SHARED where the proxy sends them: {unsaid}"
    return {path: (SHARED[path] if len(o) > 1 else o[0]) for path, o in owners.items()}


def ports() -> dict[str, int]:
    services = compose()["services"]
    return {name: command_port(services[name]["command"]) for name in SERVICES}


def test_the_proxy_sends_every_declared_route_to_the_service_that_owns_it(declared):
    proxy = read_proxy(CADDYFILE.read_text())
    port_of = ports()
    wrong = []
    for path, owner in sorted(expected_routing(declared).items()):
        target = proxy.route(sample(path))
        want = Target(None, status=404) if owner is None else Target(owner, port_of[owner])
        if target != want:
            wrong.append(f"{path}: Caddyfile sends it to {target}, it belongs to {want}")
    assert not wrong, "\n".join(wrong)
    assert sum(len(p) for p in declared.values()) > 90  # the apps' routes were read, not an empty list


def test_each_service_health_is_reachable_through_the_proxy():
    proxy = read_proxy(CADDYFILE.read_text())
    for service, port in ports().items():
        assert proxy.route(f"/healthz/{service}") == Target(service, port, "/healthz")


def test_the_model_tells_the_collectors_template_from_the_renderers_templates():
    """Two services share more than /api/v1: the test's model of Caddy's matcher must see the difference."""
    proxy = read_proxy(CADDYFILE.read_text())
    assert proxy.route("/api/v1/template/2024/UPT.xlsx").service == "collector"  # type: ignore[union-attr]
    assert proxy.route("/api/v1/templates/disposisi.docx").service == "renderer"  # type: ignore[union-attr]
    assert proxy.route("/api/v1/kalenderx").service == "approval"  # type: ignore[union-attr]
    broken = CADDYFILE.read_text().replace("path /api/v1/rekap /api/v1/rekap/*", "path /api/v1/rekap*")
    assert read_proxy(broken).route("/api/v1/rekapitulasi").service == "aggregator"  # type: ignore[union-attr]


# ---- Caddy's own reading, where it is installed ----------------------------------------------------------------


def caddy_route(config: dict[str, Any], path: str) -> Target | None:
    """The first route of the adapted JSON config whose path matcher takes `path` (they share one group)."""
    (server,) = config["apps"]["http"]["servers"].values()
    for route in server["routes"]:
        matchers = route.get("match")
        if matchers and not any(path_matches(p, path) for m in matchers for p in m["path"]):
            continue
        handlers = [h for r in route["handle"][0].get("routes", []) for h in r["handle"]]
        if route["handle"][0]["handler"] != "subroute":
            continue  # encode: runs for every request and answers none
        rewrite = next((h["uri"] for h in handlers if h["handler"] == "rewrite"), None)
        for h in handlers:
            if h["handler"] == "static_response":
                return Target(None, status=h["status_code"])
            if h["handler"] == "reverse_proxy":
                if "dynamic_upstreams" in h:
                    up = h["dynamic_upstreams"]
                    return Target(up["name"], int(up["port"]), rewrite)
                host, port = h["upstreams"][0]["dial"].split(":")
                return Target(host, int(port), rewrite)
    return None


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (.ci/run installs it)")
def test_caddy_reads_the_caddyfile_as_this_test_does(declared):
    env = {k: v for k, v in os.environ.items() if k != "LAPKIN_HOST_NAME"}
    out = subprocess.run(
        ["caddy", "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    config = json.loads(out.stdout)
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":80"]  # no host name: plain HTTP
    proxy = read_proxy(CADDYFILE.read_text())
    paths = [sample(p) for p in expected_routing(declared)] + [f"/healthz/{s}" for s in SERVICES]
    differ = [p for p in paths if caddy_route(config, p) != proxy.route(p)]
    assert not differ, f"caddy routes these otherwise than this test reads them: {differ}"
    named = subprocess.run(
        ["caddy", "adapt", "--config", str(CADDYFILE)],
        capture_output=True,
        text=True,
        env={**env, "LAPKIN_HOST_NAME": "lapkin.example.go.id"},
        timeout=60,
        check=True,
    )
    (server,) = json.loads(named.stdout)["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]  # a host name: HTTPS, its certificate managed by Caddy
