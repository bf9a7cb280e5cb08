# JupyterHub configuration for a class taking the rnnlab course on one machine (Debian's
# jupyterhub 3.0, run as root so it can start each learner's server under their own uid):
#
#   npm run hub:install                       # the course in /opt/rnnlab, kernel, rnnlab-exchange
#   jupyterhub -f src/grading/hub/jupyterhub_config.py
#
# Learners log in with their local account (PAM). On each server start the pre-spawn hook gives
# the learner their own copy of the released notebooks in ~/rnnlab-course (only files they do not
# have yet: an edited notebook is never overwritten), and their server opens that folder.
# The exchange (npm run exchange) is `rnnlab-exchange` on every learner's PATH, with the class's
# exchange folder and course name in the environment.
#
# Settings come from the environment, so the same file serves the test and a class:
#   RNNLAB_HUB_INSTALL   the installed course (hub:install --prefix)        /opt/rnnlab
#   RNNLAB_HUB_KERNELS   a Jupyter data folder holding kernels/rnnlab       (unset: the system's, /usr/local/share/jupyter)
#   RNNLAB_HUB_IP, RNNLAB_HUB_PORT   where learners connect                  "" (all addresses), 8000
#   RNNLAB_HUB_API_PORT, RNNLAB_HUB_INTERNAL_PORT   the proxy's API, the hub  8001, 8081 (on 127.0.0.1)
#   RNNLAB_HUB_STATE     the hub's database, cookie secret, proxy pid          /var/lib/rnnlab-hub
#   RNNLAB_HUB_USERS     comma-separated logins allowed in (unset: every local user, or the group)
#   RNNLAB_HUB_GROUP     a Unix group whose members are allowed in
#   RNNLAB_HUB_ADMINS    comma-separated logins with the hub's admin page (the teachers)
#   RNNLAB_HUB_PROXY     the configurable-http-proxy command                   INSTALL/node_modules/.bin/configurable-http-proxy
#   RNNLAB_EXCHANGE, RNNLAB_COURSE   passed to every learner's server (the exchange's own defaults otherwise)
#   RNNLAB_HUB_COURSE_DIR   the learner's course folder under their home     rnnlab-course
import os
import pwd
import shutil
import subprocess

c = get_config()  # noqa: F821 (JupyterHub provides it)


def _env(name, default):
    value = os.environ.get(name, "")
    return value if value != "" else default


def _names(name):
    return {n.strip() for n in os.environ.get(name, "").split(",") if n.strip()}


INSTALL = _env("RNNLAB_HUB_INSTALL", "/opt/rnnlab")
STATE = _env("RNNLAB_HUB_STATE", "/var/lib/rnnlab-hub")
COURSE_DIR = _env("RNNLAB_HUB_COURSE_DIR", "rnnlab-course")
NODE = shutil.which("node") or "/usr/bin/node"

for required in ("dist/grading/hub/user-course.js", "notebooks", "bin/rnnlab-exchange"):
    if not os.path.exists(os.path.join(INSTALL, required)):
        raise SystemExit(
            f"rnnlab hub: RNNLAB_HUB_INSTALL: expected an installed course (npm run hub:install) with {required}, "
            f"got nothing at {os.path.join(INSTALL, required)}"
        )
os.makedirs(STATE, mode=0o700, exist_ok=True)

# --- Where the hub listens, and its state ---
c.JupyterHub.ip = _env("RNNLAB_HUB_IP", "")
c.JupyterHub.port = int(_env("RNNLAB_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(_env("RNNLAB_HUB_INTERNAL_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_env('RNNLAB_HUB_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{os.path.join(STATE, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "jupyterhub-proxy.pid")
# configurable-http-proxy from npm (the project's dev dependency, copied by hub:install). Debian's
# jupyterhub pulls in node-configurable-http-proxy 4.5 too; this one is the version CI tests.
c.ConfigurableHTTPProxy.command = [
    _env("RNNLAB_HUB_PROXY", os.path.join(INSTALL, "node_modules", ".bin", "configurable-http-proxy"))
]

# --- Who gets in: local accounts through PAM ---
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
# A learner's server is a process, not a login: no PAM session (pam_systemd and friends) is needed.
c.PAMAuthenticator.open_sessions = False
if _names("RNNLAB_HUB_USERS"):
    c.Authenticator.allowed_users = _names("RNNLAB_HUB_USERS")
if os.environ.get("RNNLAB_HUB_GROUP"):
    c.LocalAuthenticator.allowed_groups = {os.environ["RNNLAB_HUB_GROUP"]}
c.Authenticator.admin_users = _names("RNNLAB_HUB_ADMINS")

# --- Each learner's server: their uid, their home, the rnnlab kernel ---
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = f"/tree/{COURSE_DIR}"
c.Spawner.http_timeout = 120  # a loaded machine starts servers slowly
c.Spawner.start_timeout = 120
_environment = {
    "PATH": f"{os.path.join(INSTALL, 'bin')}:/usr/local/bin:/usr/bin:/bin",
}
for name in ("RNNLAB_EXCHANGE", "RNNLAB_COURSE"):
    if os.environ.get(name):
        _environment[name] = os.environ[name]
if os.environ.get("RNNLAB_HUB_KERNELS"):
    _environment["JUPYTER_PATH"] = os.environ["RNNLAB_HUB_KERNELS"]
c.Spawner.environment = _environment


def copy_course(spawner):
    """The learner's own copy of the released notebooks, made as the learner (see user-course.ts)."""
    account = pwd.getpwnam(spawner.user.name)
    dest = os.path.join(account.pw_dir, COURSE_DIR)
    result = subprocess.run(
        [NODE, os.path.join(INSTALL, "dist", "grading", "hub", "user-course.js"), os.path.join(INSTALL, "notebooks"), dest],
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=os.getgrouplist(account.pw_name, account.pw_gid),
        cwd=account.pw_dir,
        env={"HOME": account.pw_dir, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"rnnlab hub: copying the course for {spawner.user.name} failed: {result.stderr.strip()}")
    spawner.log.info(result.stdout.strip())


c.Spawner.pre_spawn_hook = copy_course
