"""Tests of scripts/check-deploy: it passes on a copy of the repository's deployment files, and
on copies with one thing broken it fails and names the offender, so that a check that silently
stopped checking would show here.

    python3 scripts/check_deploy_test.py [--binary PATH]

PATH defaults to .build/debug/diffwave, else .build/release/diffwave (build one first).
"""
import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "check-deploy")
BINARY = None  # set in __main__


def load_script():
    """check-deploy as a module (its name has no .py): for its constants and its installer."""
    sys.dont_write_bytecode = True  # no scripts/__pycache__ in the working tree
    loader = importlib.machinery.SourceFileLoader("check_deploy", SCRIPT)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("check_deploy", loader))
    loader.exec_module(module)
    return module


check_deploy = load_script()
check_deploy.ensure_tools()  # PyYAML, for editing the copies
import yaml  # noqa: E402


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def dump_all(path, documents):
    with open(path, "w") as f:
        yaml.safe_dump_all(documents, f, sort_keys=False)


def kustomized_image(root):
    """name:tag of the service image per the kustomization, the reference the others must use."""
    (kustomization,) = load_all(os.path.join(root, "deploy", "kustomization.yaml"))
    for entry in kustomization.get("images") or []:
        if entry["name"] == check_deploy.SERVICE_IMAGE:
            return f"{entry.get('newName', entry['name'])}:{entry['newTag']}"
    raise AssertionError(f"kustomization.yaml has no images entry named {check_deploy.SERVICE_IMAGE}")


class CheckDeployTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check-deploy-")
        self.addCleanup(shutil.rmtree, self.root)
        shutil.copytree(os.path.join(ROOT, "deploy"), os.path.join(self.root, "deploy"))
        shutil.copytree(os.path.join(ROOT, "deploy-external-redis"), os.path.join(self.root, "deploy-external-redis"))
        for name in ("openapi.yaml", "Dockerfile", "README.md"):  # openapi.yaml is a link: copy its target
            shutil.copy(os.path.join(ROOT, name), os.path.join(self.root, name))
        # Until README.md's `docker build -t` names the tagged image, the copy does: these tests are
        # about the manifests and the checker, not about that one line (check-deploy itself reports it).
        readme = os.path.join(self.root, "README.md")
        with open(readme) as f:
            text = f.read()
        text = re.sub(r"(docker build\b[^`\n]*?\s(?:-t|--tag)(?:=|\s+))\S+",
                      lambda m: m.group(1) + kustomized_image(self.root), text)
        with open(readme, "w") as f:
            f.write(text)

    def run_check(self):
        result = subprocess.run([sys.executable, SCRIPT, "--binary", BINARY, "--root", self.root],
                                capture_output=True, text=True)
        return result.returncode, result.stdout + result.stderr

    def assert_fails_naming(self, offender, fail_line_mentions=None):
        """The check fails, and a FAIL line names the offender (or fail_line_mentions, with the
        offender anywhere in the output, for tools whose findings follow their FAIL line)."""
        status, output = self.run_check()
        self.assertNotEqual(status, 0, output)
        failures = [line for line in output.splitlines() if line.startswith("FAIL:")]
        self.assertTrue(any((fail_line_mentions or offender) in line for line in failures), output)
        self.assertIn(offender, output)
        self.assertRegex(output.splitlines()[-1], r"^check-deploy: \d+ passed, [1-9]\d* failed$")

    # Edits of the copy --------------------------------------------------------------------

    def edit(self, name, change, directory="deploy"):
        """Applies change(documents) to DIRECTORY/NAME (its YAML documents, in place)."""
        path = os.path.join(self.root, directory, name)
        documents = load_all(path)
        change(documents)
        dump_all(path, documents)

    def edit_service_container(self, change):
        """Applies change(container) to the Deployment's service container, wherever it is."""
        for name in sorted(os.listdir(os.path.join(self.root, "deploy"))):
            if not name.endswith(".yaml"):
                continue
            documents = load_all(os.path.join(self.root, "deploy", name))
            for document in documents:
                if isinstance(document, dict) and document.get("kind") == "Deployment":
                    for container in document["spec"]["template"]["spec"]["containers"]:
                        if container.get("name") == check_deploy.SERVICE_CONTAINER:
                            change(container)
                            dump_all(os.path.join(self.root, "deploy", name), documents)
                            return
        self.fail(f"no Deployment with a container named {check_deploy.SERVICE_CONTAINER}")

    def compose_service(self, documents):
        (compose,) = documents
        return next(service for service in compose["services"].values()
                    if "build" in service or check_deploy.SERVICE_IMAGE in str(service.get("image")))

    # The tests ----------------------------------------------------------------------------

    def test_unmodified_copy_passes(self):
        status, output = self.run_check()
        self.assertEqual(status, 0, output)
        self.assertNotIn("FAIL:", output)
        self.assertRegex(output.splitlines()[-1], r"^check-deploy: [1-9]\d* passed, 0 failed$")

    def test_unknown_variable_in_deployment(self):
        self.edit_service_container(lambda c: c.setdefault("env", []).append({"name": "DIFFWAVE_FOO", "value": "1"}))
        self.assert_fails_naming("DIFFWAVE_FOO")

    def test_unknown_variable_in_compose(self):
        self.edit("compose.yaml", lambda docs: self.compose_service(docs)["environment"].update(DIFFWAVE_FOO="1"))
        self.assert_fails_naming("DIFFWAVE_FOO")

    def test_unknown_flag_in_args(self):
        self.edit_service_container(lambda c: c.update(args=["--max-frames", "4000", "--no-such-flag", "1"]))
        self.assert_fails_naming("--no-such-flag")

    def test_wrong_probe_path(self):
        self.edit_service_container(lambda c: c["readinessProbe"]["httpGet"].update(path="/no-such-route"))
        self.assert_fails_naming("/no-such-route")

    def test_mismatched_container_port(self):
        def change(container):
            port = next(p for p in container["ports"] if p.get("name") == "http")
            port["containerPort"] += 1
            self.wrong_port = port["containerPort"]
        self.edit_service_container(change)
        self.assert_fails_naming(f"containerPort http is {self.wrong_port}")

    def test_compose_image_with_another_tag(self):
        other = kustomized_image(self.root) + "-other"
        self.edit("compose.yaml", lambda docs: self.compose_service(docs).update(image=other))
        self.assert_fails_naming(f"image {other} is not the canonical")

    def test_dockerfile_expose_another_port(self):
        path = os.path.join(self.root, "Dockerfile")
        with open(path) as f:
            text = f.read()
        text, count = re.subn(r"^EXPOSE (\d+)", lambda m: f"EXPOSE {int(m.group(1)) + 1}", text, flags=re.M)
        self.assertEqual(count, 1, "the Dockerfile has no single EXPOSE line to change")
        with open(path, "w") as f:
            f.write(text)
        self.assert_fails_naming("Dockerfile: EXPOSE is")

    def test_strict_validation_rejects_an_unknown_field(self):
        self.edit("service.yaml", lambda docs: docs[0]["spec"].update(notAField=1))
        self.assert_fails_naming("notAField", fail_line_mentions="kubernetes-validate --strict")

    def test_job_store_url_naming_no_service(self):
        def change(container):
            variable = next(v for v in container["env"] if v["name"] == check_deploy.JOB_STORE_VARIABLE)
            variable["value"] = "redis://no-such-redis:6379/0"
        self.edit_service_container(change)
        self.assert_fails_naming("redis://no-such-redis:6379/0 names no Service")

    @unittest.skipUnless(check_deploy.kustomize_command(), "needs kustomize (kubectl kustomize) to render the overlay")
    def test_overlay_patch_adding_an_unknown_variable(self):
        # Each file alone is fine; only the rendered overlay holds the variable.
        def change(documents):
            (patch,) = documents
            patch["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "DIFFWAVE_FOO", "value": "1"})
        self.edit("job-store-from-secret.yaml", change, directory="deploy-external-redis")
        self.assert_fails_naming("deploy-external-redis/ rendered by kubectl kustomize: Deployment/diffwave-server container "
                                 "diffwave: environment variable DIFFWAVE_FOO")


def default_binary():
    for build in ("debug", "release"):
        path = os.path.join(ROOT, ".build", build, "diffwave")
        if os.access(path, os.X_OK):
            return path
    sys.exit("check_deploy_test: no .build/debug/diffwave or .build/release/diffwave; build one or pass --binary PATH")


if __name__ == "__main__":
    argv = sys.argv[:]
    if "--binary" in argv:
        i = argv.index("--binary")
        BINARY = os.path.abspath(argv[i + 1])
        del argv[i:i + 2]
    else:
        BINARY = default_binary()
    unittest.main(argv=argv, verbosity=2)
