"""Checks the Kubernetes recipe as far as a machine without Helm or a container engine allows.

  /usr/bin/python3 test/hub/z2jh_values_check.py [values.yaml] [Dockerfile]

1. The values, merged over Zero to JupyterHub 2.0.0's defaults as Helm merges them, validate
   against the chart's own schema (test/fixtures/z2jh-2.0.0/).
2. They do what jupyterhub_config.py does on one machine: the course folder the learner opens,
   the exchange folder and course name the exchange reads, the learner's copy of the released
   notebooks made by user-course.js from the install's notebooks/, and they agree with the
   Dockerfile (its install prefix, its command, its exchange folder).
Prints each problem and exits 1 when there is one; exit 0 and "ok" otherwise.
"""
import json
import os
import re
import shlex
import sys

import jsonschema
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(ROOT, "test", "fixtures", "z2jh-2.0.0")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def helm_merge(defaults, override):
    """Helm's values merge: maps merge key by key, anything else (lists too) replaces, null deletes."""
    out = dict(defaults)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = helm_merge(out[key], value)
        else:
            out[key] = value
    return out


def hub_config_default(text, name):
    m = re.search(r'_env\("%s", "([^"]*)"\)' % re.escape(name), text)
    if not m:
        raise SystemExit(f"z2jh check: expected jupyterhub_config.py to read {name} with a default, found none")
    return m.group(1)


def ts_const(text, name):
    m = re.search(r'export const %s = "([^"]*)"' % re.escape(name), text)
    if not m:
        raise SystemExit(f"z2jh check: expected layout.ts to export {name}, found none")
    return m.group(1)


def dockerfile_facts(text):
    lines = re.sub(r"\\\n", " ", text).splitlines()
    install = next((l for l in lines if "dist/grading/hub/install.js" in l), None)
    if install is None:
        raise SystemExit("z2jh check: expected the Dockerfile to run dist/grading/hub/install.js, found no such line")
    args = shlex.split(install.split("install.js", 1)[1].split("&&")[0])
    opts = dict(zip(args[::2], args[1::2]))
    env = {}
    for l in lines:
        if l.startswith("ENV "):
            env.update(dict(kv.split("=", 1) for kv in shlex.split(l[4:])))
    cmd = next((json.loads(l[4:]) for l in lines if l.startswith("CMD ")), None)
    user = next((l.split()[1] for l in reversed(lines) if l.startswith("USER ")), None)
    return {"prefix": opts.get("--prefix"), "kernel_prefix": opts.get("--kernel-prefix"), "env": env, "cmd": cmd, "user": user}


def check(values_path, dockerfile_path):
    problems = []
    values = yaml.safe_load(read(values_path))
    defaults = yaml.safe_load(read(os.path.join(CHART, "values.yaml")))
    schema = yaml.safe_load(read(os.path.join(CHART, "schema.yaml")))
    merged = helm_merge(defaults, values)
    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(merged), key=lambda e: list(e.absolute_path)):
        problems.append(f"schema: {'.'.join(map(str, err.absolute_path)) or '(top)'}: {err.message}")

    hub = read(os.path.join(ROOT, "src", "grading", "hub", "jupyterhub_config.py"))
    layout = read(os.path.join(ROOT, "src", "grading", "exchange", "layout.ts"))
    docker = dockerfile_facts(read(dockerfile_path))
    course_dir = hub_config_default(hub, "RNNLAB_HUB_COURSE_DIR")
    exchange_root = ts_const(layout, "DEFAULT_ROOT")
    course = ts_const(layout, "DEFAULT_COURSE")
    su = merged.get("singleuser", {})

    def expect(what, expected, got):
        if expected != got:
            problems.append(f"{what}: expected {expected!r}, got {got!r}")

    expect("singleuser.defaultUrl (jupyterhub_config.py's default_url)", f"/tree/{course_dir}", su.get("defaultUrl"))
    env = su.get("extraEnv", {})
    expect("singleuser.extraEnv.RNNLAB_EXCHANGE (layout.ts DEFAULT_ROOT)", exchange_root, env.get("RNNLAB_EXCHANGE"))
    expect("singleuser.extraEnv.RNNLAB_COURSE (layout.ts DEFAULT_COURSE)", course, env.get("RNNLAB_COURSE"))
    expect("Dockerfile ENV RNNLAB_EXCHANGE", exchange_root, docker["env"].get("RNNLAB_EXCHANGE"))
    mounts = {m.get("mountPath") for m in su.get("storage", {}).get("extraVolumeMounts", [])}
    if exchange_root not in mounts:
        problems.append(f"singleuser.storage.extraVolumeMounts: expected a volume at the exchange folder {exchange_root}, got {sorted(mounts)}")
    prefix = docker["prefix"]
    home = su.get("storage", {}).get("homeMountPath")
    expect(
        "singleuser.lifecycleHooks.postStart.exec.command (the pre-spawn hook's copy)",
        ["node", f"{prefix}/dist/grading/hub/user-course.js", f"{prefix}/notebooks", f"{home}/{course_dir}"],
        su.get("lifecycleHooks", {}).get("postStart", {}).get("exec", {}).get("command"),
    )
    if not os.path.exists(os.path.join(ROOT, "src", "grading", "hub", "user-course.ts")):
        problems.append("user-course.ts: expected src/grading/hub/user-course.ts (the copy the hook runs), got nothing")
    expect("Dockerfile --kernel-prefix (a system-wide kernelspec)", "/usr/local", docker["kernel_prefix"])
    expect("singleuser.cmd (the Dockerfile's CMD)", docker["cmd"], [su.get("cmd")] if isinstance(su.get("cmd"), str) else su.get("cmd"))
    expect("Dockerfile USER (z2jh's singleuser.uid default)", str(defaults["singleuser"]["uid"]), docker["user"])
    if "KubeSpawner.uid" not in "".join(merged.get("hub", {}).get("extraConfig", {}).values()):
        problems.append("hub.extraConfig: expected a uid per learner (c.KubeSpawner.uid), got none: every pod would be uid 1000 and the exchange could not keep learners apart")
    return problems


if __name__ == "__main__":
    args = sys.argv[1:]
    values_path = args[0] if args else os.path.join(ROOT, "src", "grading", "hub", "z2jh-values.yaml")
    dockerfile_path = args[1] if len(args) > 1 else os.path.join(ROOT, "src", "grading", "hub", "Dockerfile")
    found = check(values_path, dockerfile_path)
    for p in found:
        print(p)
    print("ok" if not found else f"{len(found)} problem(s)")
    sys.exit(1 if found else 0)
