"""AppContext: the one object every command receives (settings, network, store, streams, clock).

Everything is built lazily, so `rse --help` imports nothing heavy, and everything can be
swapped by tests (clock, network factory, streams).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from rse_cli.clock import now as system_clock
from rse_cli.i18n import _

__all__ = ["AppContext"]


@dataclass
class AppContext:
    config_path: Path | None = None
    profile: str | None = None
    flags: dict[str, Any] = field(default_factory=dict)
    verbose: bool = False
    color: bool = True
    clock: Callable[[], datetime] = system_clock  # RSE_NOW replays a day (rse_cli/clock.py)
    network_factory: Callable[..., Any] | None = None
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    _settings: Any = None
    _addressing: Any = None
    _store: Any = None
    _network: Any = None
    _console: Any = None
    _err_console: Any = None
    _log_handler: Any = None

    # -- settings and secrets ------------------------------------------------------------
    @property
    def settings(self):
        if self._settings is None:
            import warnings

            from rse_cli.config import ConfigWarning, load_settings

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConfigWarning)
                self._settings = load_settings(config_path=self.config_path, profile=self.profile, flags=self.flags)
            for w in caught:  # e.g. keys in their pre-connector-table place: one line each, on stderr
                if issubclass(w.category, ConfigWarning):
                    self.say(_("note: {message}").format(message=w.message))
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        return self._settings

    @property
    def addressing(self):
        """The configured network's ids and links, offline (reports built from the store)."""
        if self._addressing is None:
            from rse_cli.network.base import addressing

            self._addressing = addressing(self.settings)
        return self._addressing

    def token_source(self) -> tuple[str | None, str]:
        """The token to use and where it came from (never printed itself)."""
        s = self.settings
        if os.environ.get("RSE_TOKEN"):
            return os.environ["RSE_TOKEN"], "RSE_TOKEN"
        if s.token is not None:
            return s.token.get_secret_value(), "config file"
        from rse_cli.credentials import load_token

        token = load_token(s.profile, s.homeserver, s.user)
        return token, ("stored login" if token else "none")

    # -- resources -----------------------------------------------------------------------
    def network(self, *, authenticated: bool = True):
        if self._network is None:
            token = self.token_source()[0] if authenticated else None
            if authenticated and not token and not self._signs_in_itself():
                from rse_cli.config import default_config_path
                from rse_cli.errors import AuthError, ConfigError

                path = self.config_path or default_config_path()
                if not path.exists():  # nothing set up yet: one step, the first one
                    raise ConfigError(
                        _("rse is not set up yet: no config file at {path}").format(path=path),
                        hint=_(
                            "run `rse config init --homeserver URL --user ID` first "
                            "(or `rse sandbox up` to try rse on a local server)"
                        ),
                    )
                raise AuthError(
                    _("no token for profile “{profile}”").format(profile=self.settings.profile),
                    hint=_("run `rse auth login` (or set RSE_TOKEN for cron)"),
                )
            if self.network_factory is not None:
                self._network = self.network_factory(self.settings, token=token)
            else:
                from rse_cli.network.base import connect

                self._network = connect(self.settings, token=token)
            if self.verbose:
                self._setup_logging(token)
        return self._network

    def _signs_in_itself(self) -> bool:
        """Connectors with a device-code sign-in keep their own token cache (msal): no token to pass."""
        from rse_cli.network.base import capabilities

        return capabilities(self.settings).login == "device_code"

    @property
    def store(self):
        if self._store is None:
            from rse_cli.store import Store

            self._store = Store(self.settings.store_location(), profile=self.settings.profile, clock=self.clock)
        return self._store

    def _setup_logging(self, token: str | None) -> None:
        from rse_cli.network.http import redact

        class Redacting(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                record.msg = redact(record.getMessage(), (token or "",))
                record.args = ()
                return True

        handler = logging.StreamHandler(self.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s", "%H:%M:%S"))
        handler.addFilter(Redacting())
        logger = logging.getLogger("rse")
        logger.handlers[:] = [handler]
        logger.setLevel(logging.DEBUG)
        self._log_handler = handler

    # -- streams -------------------------------------------------------------------------
    @property
    def stdout_is_terminal(self) -> bool:
        return hasattr(self.stdout, "isatty") and self.stdout.isatty()

    @property
    def console(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stdout, no_color=not self.color, highlight=False)
        return self._console

    @property
    def err(self):
        """Console for messages (stderr): progress, confirmations, warnings."""
        if self._err_console is None:
            from rich.console import Console

            self._err_console = Console(file=self.stderr, no_color=not self.color, highlight=False, soft_wrap=True)
        return self._err_console

    def progress(self, label: str, *, counting: str | None = None):
        """A progress bar on stderr when it is a terminal, else None (see cli/progress.py)."""
        from rse_cli.cli.progress import progress

        return progress(self, label, counting=counting)

    def links(self):
        """How to link to a post: the network's own links when it can be reached, else built offline
        by its addressing (reports and previews work without a token)."""
        from rse_cli.errors import RseError

        try:
            return self.network().link
        except RseError:
            return self.addressing.link

    def templates(self, lang: str | None = None):
        """The message templates (packaged, then the profile's overrides), in `lang` or the profile's language."""
        from rse_cli.templating import Templates

        return Templates(self.settings.templates_dir, lang or self.settings.lang)

    def say(self, message: str) -> None:
        self.err.print(message, markup=False)

    def close(self) -> None:
        if self._log_handler is not None:  # its stream belongs to this run (tests run many in one process)
            logging.getLogger("rse").removeHandler(self._log_handler)
            self._log_handler = None
        if self._network is not None:
            self._network.close()
        if self._store is not None:
            self._store.close()
