"""A local Synapse homeserver, for the test suite and for `rse sandbox up/down/status`: its
process (start, stop, status) and its accounts. Its configuration is synapse_config.py's.

Everything lives in one data directory (config, SQLite database, media, logs, pid file,
application-service registration), so a sandbox is created, reused and thrown away as a
unit, and several can coexist (one per test session, one for demos). The server binds
127.0.0.1 only and never talks to the internet (no trusted key servers).

The process is started detached (its own session) so that `rse sandbox up` can return
while the server keeps running; a later `rse sandbox down` finds it again through the pid
file, and only ever signals that pid once it has checked the process really is the
Synapse started with this data directory's config.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from rse_cli.fsutil import write_private
from rse_cli.i18n import _
from rse_cli.sandbox import synapse_config
from rse_cli.sandbox.synapse_config import (  # re-exported: callers import them from here
    APPSERVICE_FILE,
    CONFIG_FILE,
    SandboxError,
    find_free_port,
    synapse_available,
)

__all__ = ["SandboxError", "SynapseServer", "find_free_port", "synapse_available"]

PID_FILE = "homeserver.pid"  # the path the generated config names as pid_file
OUT_FILE = "synapse.out"  # the process's stdout/stderr: startup errors land here
LOG_FILE = "homeserver.log"  # written by Synapse's generated log config


def _port_in_use(port: int) -> bool:
    # SO_REUSEADDR, as Twisted uses: only a live listener makes the bind fail, not TIME_WAIT.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        data = path.read_bytes()[-20000:].decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def _cmdline(pid: int) -> str:
    """The command line of a process, arguments joined by spaces ("" when unreadable)."""
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.parent.parent.is_dir():
        try:
            return proc.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            return ""
    try:  # macOS and other systems without /proc
        out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


@dataclass
class SynapseServer:
    """One Synapse homeserver living in `data_dir` (see the module docstring)."""

    data_dir: Path
    server_name: str = "rse.test"
    port: int | None = None
    default_rate_limits: bool = False
    appservice: bool = True
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).expanduser().resolve()
        if self.port is None and self.config_path.exists():
            self.port = self._configured_port(self._read_config())

    # -- paths and properties ---------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILE

    @property
    def appservice_path(self) -> Path:
        return self.data_dir / APPSERVICE_FILE

    @property
    def pid_path(self) -> Path:
        return self.data_dir / PID_FILE

    @property
    def url(self) -> str:
        if self.port is None:
            raise SandboxError(
                _("the sandbox in {path} has no port yet").format(path=self.data_dir), hint=_("run `rse sandbox up`")
            )
        return f"http://127.0.0.1:{self.port}"

    @property
    def appservice_token(self) -> str:
        """The as_token the seeder uses to send backdated events (`?ts=`) as any user."""
        if not self.appservice_path.exists():
            raise SandboxError(
                _("no application service is registered in {path}").format(path=self.data_dir),
                hint=_("run `rse sandbox up` again to configure it"),
            )
        return synapse_config.appservice_token(self.appservice_path)

    # -- configuration ----------------------------------------------------------------

    def configure(self) -> None:
        """Generate the config once, then (re)apply rse's settings to it (synapse_config.configure)."""
        self.port = synapse_config.configure(
            self.data_dir,
            server_name=self.server_name,
            port=self.port,
            default_rate_limits=self.default_rate_limits,
            appservice=self.appservice,
        )

    def _read_config(self) -> dict[str, Any]:
        return synapse_config.read_config(self.config_path)

    @staticmethod
    def _configured_port(config: dict[str, Any]) -> int | None:
        return synapse_config.configured_port(config)

    def _secrets(self) -> list[str]:
        return synapse_config.secrets_of(self.config_path, self.appservice_path)

    # -- process ----------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        """Start the server unless it already runs, and wait until it answers.

        A server already started (even by another rse process, possibly still booting) is
        waited for rather than started twice.
        """
        self.configure()
        deadline = time.monotonic() + timeout
        pid = self._live_pid(remove_stale=True)
        if pid is not None:
            self._wait_ready(pid, deadline, timeout)
            return
        if _port_in_use(self.port or 0):
            raise SandboxError(
                _("port {port} on 127.0.0.1 is already in use by another program").format(port=self.port),
                hint=_("free it, or set another port in {path}").format(path=self.config_path),
            )
        out_fd = os.open(self.data_dir / OUT_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(out_fd, "ab") as out:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(self.config_path)],  # fmt: skip
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the rse command (and its Ctrl-C) that started it
                umask=0o077,  # database, media and logs private to the user
            )
        write_private(self.pid_path, f"{self._proc.pid}\n".encode())
        try:
            self._wait_ready(self._proc.pid, deadline, timeout)
        except SandboxError:
            self._terminate(self._proc.pid, grace=5)
            self.pid_path.unlink(missing_ok=True)
            raise

    def stop(self, timeout: float = 20) -> bool:
        """Stop the recorded server (SIGTERM, then SIGKILL) and return only once its process is
        gone and its port free, so that "stopped" is true when said; False when none was running.
        A process that outlives SIGKILL is an error naming it (the pid file is then kept)."""
        pid = self._live_pid(remove_stale=True)
        if pid is None:
            return False
        self._terminate(pid, grace=timeout)
        if self._alive(pid):
            raise SandboxError(
                _("the sandbox server (process {pid}) is still running {seconds} s after it was asked to stop").format(
                    pid=pid, seconds=f"{timeout + 5:g}"
                ),
                hint=_("stop it with `kill -9 {pid}`, then run `rse sandbox down` again").format(pid=pid),
            )
        self.pid_path.unlink(missing_ok=True)
        end = time.monotonic() + 5  # the listening socket goes with the process; wait for the kernel to agree
        while self.port is not None and _port_in_use(self.port) and time.monotonic() < end:
            time.sleep(0.05)
        return True

    def status(self) -> dict[str, Any]:
        """Where the sandbox stands; reads only, so a stale pid file is reported, not removed."""
        pid = self._live_pid(remove_stale=False)
        return {
            "running": pid is not None,
            "ready": pid is not None and self._answers(),
            "pid": pid,
            "url": self.url if self.port is not None else None,
            "server_name": self.server_name,
            "data_dir": str(self.data_dir),
            "configured": self.config_path.exists(),
            "stale_pid": pid is None and self.pid_path.exists(),
        }

    def _recorded_pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None

    def _live_pid(self, *, remove_stale: bool) -> int | None:
        """The recorded pid if it is alive and is this config's Synapse, else None.

        A pid file can outlive its process (reboot, kill -9) and the pid be reused by an
        unrelated program: the command line is checked before any signal is sent.
        """
        pid = self._recorded_pid()
        if pid is None:
            if remove_stale and self.pid_path.exists():  # unreadable or garbage content
                self.pid_path.unlink(missing_ok=True)
            return None
        cmdline = _cmdline(pid) if self._alive(pid) else ""
        # start() puts the config path last: a suffix match can't confuse /a/hs.yaml, /b/a/hs.yaml
        if "synapse.app.homeserver" in cmdline and cmdline.endswith(f" --config-path {self.config_path}"):
            return pid
        if remove_stale:
            self.pid_path.unlink(missing_ok=True)
        return None

    def _alive(self, pid: int) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None  # also reaps our own child once it exits
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # someone else's process: the command-line check will reject it
        try:  # a dead child of this process not yet reaped is a zombie, not a server
            reaped, _status = os.waitpid(pid, os.WNOHANG)
            return reaped == 0
        except ChildProcessError:
            pass
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return True

    def _terminate(self, pid: int, grace: float) -> None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            except PermissionError:  # not ours after all: _live_pid checked it, so never signal further
                return
            end = time.monotonic() + wait
            while time.monotonic() < end:
                if not self._alive(pid):
                    return
                time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with self._client(timeout=2) as client:
                return client.get("/_matrix/client/versions").status_code == 200
        except httpx.HTTPError:
            return False

    def _wait_ready(self, pid: int, deadline: float, timeout: float) -> None:
        while True:
            if not self._alive(pid):
                raise SandboxError(_("Synapse exited during startup.") + "\n" + self._log_tail())
            if self._answers():
                return
            if time.monotonic() > deadline:
                raise SandboxError(
                    _("Synapse did not answer on {url} within {seconds} s.").format(url=self.url, seconds=f"{timeout:g}")
                    + "\n"
                    + self._log_tail()
                )
            time.sleep(0.1)

    def _log_tail(self) -> str:
        text = "\n".join(
            f"--- {name} (last lines) ---\n{tail}" for name in (OUT_FILE, LOG_FILE) if (tail := _tail(self.data_dir / name))
        )
        for secret in self._secrets():
            text = text.replace(secret, "<redacted>")
        return text or f"(no output in {self.data_dir})"

    # -- accounts ---------------------------------------------------------------------

    def _client(self, timeout: float = 30) -> httpx.Client:
        # trust_env=False: an HTTP(S)_PROXY from the environment must not capture 127.0.0.1.
        return httpx.Client(base_url=self.url, timeout=timeout, trust_env=False)

    @contextmanager
    def _http_errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except httpx.HTTPError as exc:
            raise SandboxError(
                _("{doing} failed: the sandbox at {url} did not answer").format(doing=doing, url=self.url),
                hint=_("is the sandbox running? (rse sandbox status)"),
            ) from exc

    def _user_id(self, user: str) -> str:
        return user if user.startswith("@") else f"@{user}:{self.server_name}"

    def register_user(
        self,
        localpart: str,
        password: str | None = None,
        admin: bool = False,
        displayname: str | None = None,
    ) -> str:
        """Create a user through the shared-secret admin API and return its id.

        Works with registration closed and needs no admin account first. An existing user is
        returned as is (its password, admin flag and display name are left unchanged).
        """
        if localpart.startswith("@"):
            localpart = localpart[1:].split(":", 1)[0]
        password = password or secrets.token_urlsafe(24)
        mac = hmac.new(synapse_config.shared_secret(self.config_path).encode(), digestmod=hashlib.sha1)
        with self._client() as client, self._http_errors(_("registering {user}").format(user=localpart)):
            nonce = client.get("/_synapse/admin/v1/register").raise_for_status().json()["nonce"]
            mac.update(b"\x00".join([
                nonce.encode(), localpart.encode(), password.encode(),
                b"admin" if admin else b"notadmin",
            ]))  # fmt: skip
            body: dict[str, Any] = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            if displayname is not None:
                body["displayname"] = displayname
            response = client.post("/_synapse/admin/v1/register", json=body)
        if response.status_code == 200:
            return str(response.json()["user_id"])
        errcode, error = _matrix_error(response)
        if errcode == "M_USER_IN_USE":
            return self._user_id(localpart)
        raise SandboxError(
            _("registering {user} failed: HTTP {status} {errcode} {error}").format(
                user=localpart, status=response.status_code, errcode=errcode, error=error
            )
        )

    def login(self, user_id_or_localpart: str, password: str, device_id: str | None = None) -> dict:
        """Log in with a password; returns Synapse's answer (access_token, device_id, user_id)."""
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": self._user_id(user_id_or_localpart)},
            "password": password,
        }
        if device_id is not None:
            body["device_id"] = device_id
        with self._client() as client, self._http_errors(_("logging in")):
            response = client.post("/_matrix/client/v3/login", json=body)
        if response.status_code != 200:
            errcode, error = _matrix_error(response)
            raise SandboxError(
                _("login as {user} failed: HTTP {status} {errcode} {error}").format(
                    user=user_id_or_localpart, status=response.status_code, errcode=errcode, error=error
                )
            )
        return response.json()

    def lift_rate_limits(self, user_id: str, admin_token: str) -> None:
        """Exempt `user_id` from the server's rate limits (Synapse admin API, `admin_token` an
        admin's): the sandbox's champion works as an admin whose limits a server admin lifted,
        so that rse's estimates and `rse doctor` see what a well set-up real server shows."""
        path = f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit"
        headers = {"Authorization": f"Bearer {admin_token}"}
        with self._client() as client, self._http_errors(_("lifting the rate limits of {user}").format(user=user_id)):
            response = client.post(path, json={"messages_per_second": 0, "burst_count": 0}, headers=headers)
        if response.status_code != 200:
            errcode, error = _matrix_error(response)
            raise SandboxError(
                _("lifting the rate limits of {user} failed: HTTP {status} {errcode} {error}").format(
                    user=user_id, status=response.status_code, errcode=errcode, error=error
                )
            )


def _matrix_error(response: httpx.Response) -> tuple[str, str]:
    try:
        data = response.json()
        return str(data.get("errcode", "")), str(data.get("error", ""))
    except ValueError:
        return "", response.text[:200]
