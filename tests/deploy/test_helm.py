"""The Helm chart (deploy/helm/gridcase) stays valid and agrees with the code, as
docker-compose.yml does (test_compose.py): `helm lint` passes; what `helm template`
renders for the default values and the example values files is valid against the
Kubernetes API schemas (offline, strict) and secure; and it names the environment
variables, ports, topics, consumers, alert rules and dashboards the code and deploy/ hold."""

import functools
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import pytest
import yaml

from gridcase_events import topics
from gridcase_events.kit.settings import PlatformSettings
from tests.deploy.code_facts import (
    REPO,
    SETTINGS,
    consumers,
    known_env_names,
    port,
    secret_env_names,
)

CHART = REPO / "deploy" / "helm" / "gridcase"
HELM_VERSION = "v3.22.0"  # .ci/run installs this one
# Where .ci/run and `make check-helm` install helm when it is not on PATH.
CACHED_HELM = Path.home() / ".cache" / "gridcase" / f"helm-{HELM_VERSION}" / "helm"
KUBERNETES_VERSION = "1.37.0"  # a current release, with schemas in kubernetes-validate
OLDEST_KUBERNETES = "1.29.0"  # Chart.yaml's kubeVersion
# Custom resources (no schema offline): the operators the chart can feed, and the spec
# fields each of them requires.
CUSTOM_KINDS: dict[tuple[str, str], set[str]] = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {"selector", "endpoints"},
    ("monitoring.coreos.com/v1", "PrometheusRule"): {"groups"},
    ("keda.sh/v1alpha1", "ScaledObject"): {"scaleTargetRef", "triggers"},
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): {"partitions", "replicas"},
}
# Read by uvicorn (the services' server), not by the settings classes.
SERVER_ENV = {"FORWARDED_ALLOW_IPS"}
# What the chart passes for OpenID Connect sign-in, which the services do not read yet
# (docs/adr/0004-hs256-to-rs256.md): only rendered with oidc.enabled.
OIDC_ENV = {
    "GRIDCASE_JWT_JWKS_URL",
    "GRIDCASE_JWT_ISSUER",
    "GRIDCASE_JWT_AUDIENCE",
    "GRIDCASE_OIDC_CLIENT_ID",
    "GRIDCASE_OIDC_SCOPES",
}
EVERYTHING_ON = (
    "--set",
    "roles.split=true",
    "--set",
    "keda.enabled=true",
    "--set",
    "monitoring.serviceMonitor.enabled=true",
)
# The values sets CI renders: the defaults, the two documented examples, and the parts
# that are off by default (the role split, KEDA, the ServiceMonitor).
VALUES: dict[str, tuple[str, ...]] = {
    "default": (),
    "strimzi-cnpg": ("-f", str(CHART / "values-strimzi-cnpg.yaml")),
    "oidc": ("-f", str(CHART / "values-oidc.yaml")),
    "keda": ("--set", "keda.enabled=true"),
    "split-keda": EVERYTHING_ON,
}


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    binary = str(CACHED_HELM) if CACHED_HELM.exists() else shutil.which("helm")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install helm {HELM_VERSION}: see .ci/run")
        pytest.skip(f"helm not installed (make check-helm installs {HELM_VERSION})")
    return subprocess.run(
        [binary, *args], capture_output=True, text=True, check=False, cwd=REPO, timeout=120
    )


@pytest.fixture(scope="module", autouse=True)
def schemas_read_once() -> Iterator[None]:
    """kubernetes-validate reads its schema files (megabytes of JSON) for every object;
    read each once."""
    with pytest.MonkeyPatch.context() as patch:
        read = functools.cache(kubernetes_validate.utils.schema_contents)
        patch.setattr(kubernetes_validate.utils, "schema_contents", read)
        yield


class UniqueKeyLoader(yaml.SafeLoader):
    """Refuses a mapping that names a key twice (YAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        duplicated = {k for k in keys if keys.count(k) > 1}
        if duplicated:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate keys {duplicated}", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


@functools.cache
def render(values: str, kubernetes: str = KUBERNETES_VERSION) -> list[dict[str, Any]]:
    result = helm(
        "template",
        "gridcase",
        str(CHART),
        "--namespace",
        "gridcase",
        "--kube-version",
        kubernetes,
        *VALUES[values],
    )
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.load_all(result.stdout, Loader=UniqueKeyLoader) if d]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    return doc


def component(doc: dict[str, Any]) -> str:
    return str(doc["metadata"]["labels"]["app.kubernetes.io/component"])


def service_deployments(docs: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    return [d for d in of_kind(docs, "Deployment") if component(d) == service]


def container_env(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return list(container.get("env", []))


def test_helm_is_the_pinned_version() -> None:
    result = helm("version", "--short")
    assert result.returncode == 0, result.stderr
    # `go install` builds leave the patch out of the version string.
    assert result.stdout.startswith(HELM_VERSION.rsplit(".", 1)[0]), result.stdout


@pytest.mark.parametrize("values", list(VALUES))
def test_helm_lint_passes_in_strict_mode(values: str) -> None:
    result = helm(
        "lint", str(CHART), "--strict", "--kube-version", KUBERNETES_VERSION, *VALUES[values]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize(
    ("values", "kubernetes"),
    [(values, KUBERNETES_VERSION) for values in VALUES] + [("split-keda", OLDEST_KUBERNETES)],
)
def test_every_object_is_valid_for_the_kubernetes_api_in_strict_mode(
    values: str, kubernetes: str
) -> None:
    docs = render(values, kubernetes)
    assert len(docs) > 20
    for doc in docs:
        # A DNS label (the strictest rule, the Services'); the schemas do not check names.
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", doc["metadata"]["name"])
        required = CUSTOM_KINDS.get((doc["apiVersion"], doc["kind"]))
        if required is not None:
            assert required <= set(doc["spec"]), doc["metadata"]["name"]
            continue
        try:
            kubernetes_validate.validate(doc, kubernetes, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{doc['kind']} {doc['metadata']['name']}: {error.message}")


@pytest.mark.parametrize("values", list(VALUES))
def test_each_service_is_given_only_environment_names_the_code_reads(values: str) -> None:
    docs = render(values)
    for service, settings in SETTINGS.items():
        config = named(docs, "ConfigMap", f"gridcase-{service}")["data"]
        from_secrets = {
            e["name"] for d in service_deployments(docs, service) for e in container_env(d)
        }
        unknown = (set(config) | from_secrets) - known_env_names(settings) - SERVER_ENV
        assert not unknown, f"{service} is given variables nothing reads: {unknown}"


def test_oidc_settings_appear_only_when_enabled() -> None:
    for values in ("default", "strimzi-cnpg"):
        for config in of_kind(render(values), "ConfigMap"):
            assert not OIDC_ENV & set(config.get("data", {}))
    intake = named(render("oidc"), "ConfigMap", "gridcase-intake")["data"]
    assert intake["GRIDCASE_JWT_ISSUER"] == "https://sso.city.example/realms/gridcase"
    assert intake["GRIDCASE_JWT_JWKS_URL"].startswith("https://sso.city.example/")
    dispatch = named(render("oidc"), "ConfigMap", "gridcase-dispatch")["data"]
    assert dispatch["GRIDCASE_OIDC_CLIENT_ID"] == "gridcase-workbench"
    assert "openid" in dispatch["GRIDCASE_OIDC_SCOPES"].split()


def csp_of(values: str) -> str:
    config = named(render(values), "ConfigMap", "gridcase-web")["data"]["nginx.conf"]
    found = re.search(r'add_header Content-Security-Policy "([^"]*)"', config)
    assert found, "the workbench's nginx sets a CSP"
    return found.group(1)


def test_the_workbench_csp_lets_the_browser_reach_the_identity_provider_only_with_oidc() -> None:
    assert "connect-src 'self' https://sso.city.example;" in csp_of("oidc")
    default = csp_of("default")
    assert "connect-src 'self' ;" in default
    assert "script-src 'self';" in default and "__" not in default


@pytest.mark.parametrize("values", list(VALUES))
def test_secrets_come_only_from_an_existing_secret(values: str) -> None:
    docs = render(values)
    assert not of_kind(docs, "Secret")
    for service, settings in SETTINGS.items():
        secret_names = secret_env_names(settings)
        assert {"DATABASE_URL", "GRIDCASE_JWT_SECRET", "GRIDCASE_PII_KEY"} <= secret_names
        config = named(docs, "ConfigMap", f"gridcase-{service}")["data"]
        assert not secret_names & set(config), f"{service}: secrets in a ConfigMap"
        for deployment in service_deployments(docs, service):
            env = {e["name"]: e for e in container_env(deployment)}
            assert set(env) == secret_names, f"{service}: secrets not passed or not secret"
            for name, entry in env.items():
                assert set(entry) == {"name", "valueFrom"}, name
                assert "secretKeyRef" in entry["valueFrom"], name


def test_the_database_url_can_come_from_cloudnativepg_s_secret() -> None:
    [deployment, *_] = service_deployments(render("strimzi-cnpg"), "dispatch")
    [url] = [e for e in container_env(deployment) if e["name"] == "DATABASE_URL"]
    assert url["valueFrom"]["secretKeyRef"] == {"name": "gridcase-pg-app", "key": "uri"}


@pytest.mark.parametrize("service", list(SETTINGS))
def test_each_service_listens_and_is_probed_on_its_port(service: str) -> None:
    docs = render("default")
    expected = port(service)
    dockerfile = (REPO / "services" / service / "Dockerfile").read_text()
    assert f"EXPOSE {expected}" in dockerfile
    config = named(docs, "ConfigMap", f"gridcase-{service}")["data"]
    assert config[f"{service.upper()}_PORT"] == str(expected)
    assert config[f"{service.upper()}_HOST"] == "0.0.0.0"  # noqa: S104 - inside its pod
    svc = named(docs, "Service", service)
    assert [p["port"] for p in svc["spec"]["ports"]] == [expected]
    [deployment] = service_deployments(docs, service)
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert [p["containerPort"] for p in container["ports"]] == [expected]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_the_chart_sets_the_shared_variables_docker_compose_sets() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["x-gridcase-env"]
    config = named(render("default"), "ConfigMap", "gridcase-dispatch")["data"]
    [deployment] = service_deployments(render("default"), "dispatch")
    given = set(config) | {e["name"] for e in container_env(deployment)}
    assert set(compose) <= given
    assert given - SERVER_ENV <= known_env_names(PlatformSettings) | known_env_names(
        SETTINGS["dispatch"]
    )


def test_kafka_topics_are_the_ones_topics_py_defines() -> None:
    docs = render("strimzi-cnpg")
    partitions = 12  # values-strimzi-cnpg.yaml
    rendered = {
        t["spec"]["topicName"]: (t["spec"]["partitions"], t["spec"]["config"])
        for t in of_kind(docs, "KafkaTopic")
    }
    expected = {
        spec.name: (spec.partitions, {**spec.config, "min.insync.replicas": 2})
        for spec in topics.specs(partitions=partitions)
    }
    assert rendered == expected


def test_consumers_file_is_what_each_service_s_code_declares() -> None:
    chart = yaml.safe_load((CHART / "files" / "consumers.yaml").read_text())
    for service in SETTINGS:
        declared = {c["name"]: c["topics"] for c in chart[service]}
        assert declared == consumers(service), service


def test_keda_watches_every_consumer_group_of_every_service() -> None:
    docs = render("split-keda")
    for service in SETTINGS:
        scaled = named(docs, "ScaledObject", f"gridcase-{service}-worker")
        watched = {
            (t["metadata"]["consumerGroup"], t["metadata"]["topic"])
            for t in scaled["spec"]["triggers"]
            if t["type"] == "kafka"
        }
        expected = {
            (f"gridcase.{name}", topic)
            for name, names in consumers(service).items()
            for topic in names
        }
        assert watched == expected, service
        assert scaled["spec"]["maxReplicaCount"] <= 6  # the case topics' default partitions


def test_workers_are_never_allowed_more_replicas_than_partitions() -> None:
    result = helm(
        "template",
        "gridcase",
        str(CHART),
        "--kube-version",
        KUBERNETES_VERSION,
        *EVERYTHING_ON,
        "--set",
        "services.dispatch.worker.maxReplicas=7",
    )
    assert result.returncode != 0
    assert "above topics.partitions (6)" in result.stderr


def test_by_default_each_service_runs_both_roles_in_one_deployment() -> None:
    docs = render("default")
    for service in SETTINGS:
        [deployment] = service_deployments(docs, service)
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert "args" not in container  # the image's CMD: python -m <service>
        assert named(docs, "HorizontalPodAutoscaler", f"gridcase-{service}")
    assert not of_kind(docs, "ScaledObject")


def test_keda_scales_the_one_deployment_on_cpu_and_lag_before_the_split() -> None:
    docs = render("keda")
    hpas = [h["metadata"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")]
    assert hpas == ["gridcase-web"]  # KEDA makes the services' own
    for service in SETTINGS:
        [deployment] = service_deployments(docs, service)
        assert "replicas" not in deployment["spec"]  # KEDA's HPA owns it
        scaled = named(docs, "ScaledObject", f"gridcase-{service}")
        assert scaled["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
        kinds = [t["type"] for t in scaled["spec"]["triggers"]]
        assert kinds[0] == "cpu" and set(kinds[1:]) == {"kafka"}


def test_the_role_split_runs_an_api_and_a_worker_deployment() -> None:
    docs = render("split-keda")
    for service in SETTINGS:
        roles = {
            d["metadata"]["labels"]["gridcase.io/role"]: d["spec"]["template"]["spec"][
                "containers"
            ][0]["args"]
            for d in service_deployments(docs, service)
        }
        assert roles == {
            "api": ["python", "-m", service, "--role", "api"],
            "worker": ["python", "-m", service, "--role", "worker"],
        }
        hpa = named(docs, "HorizontalPodAutoscaler", f"gridcase-{service}")
        assert hpa["spec"]["scaleTargetRef"]["name"] == f"gridcase-{service}"


@pytest.mark.parametrize("values", list(VALUES))
def test_every_pod_runs_as_non_root_on_a_read_only_root_with_no_capabilities(
    values: str,
) -> None:
    for deployment in of_kind(render(values), "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        # The Services are named intake, dispatch...: Kubernetes' service links would set
        # INTAKE_PORT=tcp://… in every pod, which is intake's own setting.
        assert pod["enableServiceLinks"] is False
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]]  # noqa: S108 - the pod's own emptyDir
            assert container["resources"]["requests"]["cpu"]


@pytest.mark.parametrize("values", ["default", "split-keda"])
def test_every_deployment_spreads_over_zones_and_drains_one_pod_at_a_time(values: str) -> None:
    docs = render(values)
    budgets = [b["spec"]["selector"]["matchLabels"] for b in of_kind(docs, "PodDisruptionBudget")]
    for deployment in of_kind(docs, "Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert budgets.count(selector) == 1, deployment["metadata"]["name"]
        spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert spread[0]["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread[0]["labelSelector"]["matchLabels"] == selector


def test_intake_links_to_its_public_host() -> None:
    docs = render("strimzi-cnpg")
    config = named(docs, "ConfigMap", "gridcase-intake")["data"]
    [rule] = named(docs, "Ingress", "gridcase-public")["spec"]["rules"]
    assert config["INTAKE_PUBLIC_BASE_URL"] == f"https://{rule['host']}"


def test_intake_keeps_attachments_on_a_shared_volume_or_in_s3() -> None:
    [deployment] = service_deployments(render("default"), "intake")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    config = named(render("default"), "ConfigMap", "gridcase-intake")["data"]
    assert config["INTAKE_ATTACHMENTS_DIR"] in mounts
    claim = named(render("default"), "PersistentVolumeClaim", "gridcase-intake-attachments")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    s3 = named(render("strimzi-cnpg"), "ConfigMap", "gridcase-intake")["data"]
    assert s3["INTAKE_ATTACHMENTS_BACKEND"] == "s3"
    assert not of_kind(render("strimzi-cnpg"), "PersistentVolumeClaim")


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("roles.splt=true", "additional properties 'splt' not allowed"),
        ("services.intake.attachments.backend=nfs", "value must be one of 'local', 's3'"),
        ("services.intak.port=8001", "additional properties 'intak' not allowed"),
    ],
)
def test_values_the_chart_does_not_know_are_refused(setting: str, complaint: str) -> None:
    result = helm(
        "template", "gridcase", str(CHART), "--kube-version", KUBERNETES_VERSION, "--set", setting
    )
    assert result.returncode != 0
    assert complaint in result.stderr


def test_local_attachments_with_several_replicas_refuse_a_single_node_volume() -> None:
    result = helm(
        "template",
        "gridcase",
        str(CHART),
        "--kube-version",
        KUBERNETES_VERSION,
        "--set",
        "services.intake.attachments.persistence.accessModes={ReadWriteOnce}",
    )
    assert result.returncode != 0
    assert "ReadWriteMany" in result.stderr


def egress_ports(policy: dict[str, Any]) -> set[int]:
    return {p["port"] for rule in policy["spec"]["egress"] for p in rule.get("ports", [])}


@pytest.mark.parametrize("values", list(VALUES))
def test_services_reach_kafka_and_postgresql_not_each_other(values: str) -> None:
    docs = render(values)
    service_ports = {port(s) for s in SETTINGS}
    for service in SETTINGS:
        policy = named(docs, "NetworkPolicy", f"gridcase-{service}")
        assert {9092, 5432} <= egress_ports(policy)
        assert not egress_ports(policy) & service_ports, service
        peers = [p for rule in policy["spec"]["egress"] for p in rule.get("to", [])]
        assert not [p for p in peers if "app.kubernetes.io/component" in str(p)], service
    deny = named(docs, "NetworkPolicy", "gridcase-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_only_notify_reaches_the_outside_world() -> None:
    docs = render("default")
    for service in SETTINGS:
        policy = named(docs, "NetworkPolicy", f"gridcase-{service}")
        anywhere = [
            peer
            for rule in policy["spec"]["egress"]
            for peer in rule.get("to", [])
            if peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0"
        ]
        assert bool(anywhere) == (service == "notify"), service


def route_paths(routes: list[Any], prefix: str = "") -> set[str]:
    """Every path of an app's routes, through the routers it includes (which FastAPI
    keeps as included-router entries rather than copies)."""
    paths: set[str] = set()
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            paths |= route_paths(included.routes, prefix + str(getattr(context, "prefix", "")))
        elif hasattr(route, "path"):
            paths.add(prefix + str(route.path))
    return paths


def intake_paths() -> set[str]:
    from intake.config import IntakeSettings
    from intake.main import create_app

    return route_paths(create_app(IntakeSettings(env="development")).routes)


def matches(prefix: str, path: str) -> bool:
    """Kubernetes' Prefix path type: whole path elements."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def test_the_public_ingress_exposes_intake_s_resident_pages_and_public_apis_only() -> None:
    ingress = named(render("default"), "Ingress", "gridcase-public")
    [rule] = ingress["spec"]["rules"]
    prefixes = [p["path"] for p in rule["http"]["paths"]]
    assert {p["backend"]["service"]["name"] for p in rule["http"]["paths"]} == {"intake"}
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    paths = intake_paths()
    for prefix in prefixes:
        assert [p for p in paths if matches(prefix, p)], f"{prefix} serves nothing"
    exposed = {p for p in paths if any(matches(prefix, p) for prefix in prefixes)}
    assert {"/walls/{wall_id}", "/status", "/v1/public/cases/{tracking_no}"} <= exposed
    staff = {p for p in exposed if p.startswith("/v1/") and not p.startswith("/v1/public/")}
    assert not staff, "staff APIs on the public host"
    assert not exposed & {"/metrics", "/healthz", "/readyz"}


def test_the_workbench_proxies_each_api_to_its_service() -> None:
    docs = render("default")
    config = named(docs, "ConfigMap", "gridcase-web")["data"]["nginx.conf"]
    assert f"listen {named(docs, 'Service', 'web')['spec']['ports'][0]['port']};" in config
    for service in SETTINGS:
        assert re.search(
            rf"location /api/{service}/ \{{\s*proxy_pass http://{service}:{port(service)}/;",
            config,
        ), service
        assert named(docs, "Service", service)["spec"]["ports"][0]["port"] == port(service)
    ingress = named(docs, "Ingress", "gridcase-workbench")
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "web"
    assert ingress["spec"]["tls"]


def test_the_default_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install nginx (Debian package; .ci/run does)")
        pytest.skip("nginx not installed (apt-get install nginx)")
    config = named(render("default"), "ConfigMap", "gridcase-web")["data"]["nginx.conf"]
    # `nginx -t` resolves the upstreams: the Services' names only resolve in the cluster.
    (tmp_path / "server.conf").write_text(re.sub(r"http://[a-z]+:", "http://127.0.0.1:", config))
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; {temp} include {tmp_path}/server.conf; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_alert_rules_are_deploy_prometheus_s_files() -> None:
    link = CHART / "files" / "prometheus-rules"
    assert link.is_symlink() and link.resolve() == REPO / "deploy" / "prometheus" / "rules"
    rules = of_kind(render("strimzi-cnpg"), "PrometheusRule")
    sources = sorted((REPO / "deploy" / "prometheus" / "rules").glob("*.yml"))
    assert [r["spec"] for r in rules] == [yaml.safe_load(p.read_text()) for p in sources]


def test_a_packaged_chart_carries_the_linked_rules_and_dashboards(tmp_path: Path) -> None:
    result = helm("package", str(CHART), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    [package] = tmp_path.glob("gridcase-*.tgz")
    with tarfile.open(package) as archive:
        members = {m.name: m for m in archive.getmembers()}
        for folder, pattern in (("prometheus/rules", "*.yml"), ("grafana/dashboards", "*.json")):
            for source in (REPO / "deploy" / folder).glob(pattern):
                link = (
                    "prometheus-rules" if folder.startswith("prometheus") else "grafana-dashboards"
                )
                member = members[f"gridcase/files/{link}/{source.name}"]
                assert member.isfile()
                packed = archive.extractfile(member)
                assert packed is not None and packed.read() == source.read_bytes()


def test_the_service_monitor_labels_targets_as_prometheus_yml_does() -> None:
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    [monitor] = of_kind(render("strimzi-cnpg"), "ServiceMonitor")
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["path"] == job["metrics_path"]
    relabel = {r["targetLabel"]: r for r in endpoint["relabelings"]}
    assert relabel["job"]["replacement"] == job["job_name"]
    assert relabel["service"]["sourceLabels"] == [
        "__meta_kubernetes_service_label_app_kubernetes_io_component"
    ]
    scraped = [
        s
        for s in of_kind(render("strimzi-cnpg"), "Service")
        if s["metadata"]["labels"].get("gridcase.io/metrics") == "true"
    ]
    assert {component(s) for s in scraped} == set(SETTINGS)
    assert all(
        monitor["spec"]["selector"]["matchLabels"].items() <= s["metadata"]["labels"].items()
        for s in scraped
    )


def test_dashboards_are_deploy_grafana_s_files_for_the_sidecar() -> None:
    link = CHART / "files" / "grafana-dashboards"
    assert link.is_symlink() and link.resolve() == REPO / "deploy" / "grafana" / "dashboards"
    maps = [
        c
        for c in of_kind(render("strimzi-cnpg"), "ConfigMap")
        if c["metadata"]["labels"].get("grafana_dashboard") == "1"
    ]
    rendered = {name: text for c in maps for name, text in c["data"].items()}
    sources = sorted((REPO / "deploy" / "grafana" / "dashboards").glob("*.json"))
    assert rendered == {p.name: p.read_text().rstrip("\n") for p in sources}
