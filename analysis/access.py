"""Who may do what: the roles file (an email or a domain -> admin or viewer), the actor behind
every write and export, and whether this server may be reached from other computers."""

from __future__ import annotations

import getpass
import ipaddress
import os
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import AccessDenied, MentoringError

ADMIN = "admin"
VIEWER = "viewer"
ROLES: tuple[str, ...] = (ADMIN, VIEWER)

ROLES_ENV_VAR = "MENTORING_ROLES"
ALLOW_REMOTE_ENV_VAR = "MENTORING_ALLOW_REMOTE"
DEFAULT_ROLES_FILE = Path(__file__).resolve().parent.parent / ".streamlit" / "roles.toml"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^@?([a-z0-9-]+\.)+[a-z0-9-]+$")


@dataclass(frozen=True)
class Actor:
    """The person (or program) behind an action: a signed-in email, "local user" when no sign-in
    is configured, or the command line. `role` is None for someone signed in without a role."""

    email: str
    role: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def may_view(self) -> bool:
        return self.role in ROLES


LOCAL_USER = Actor("local user", ADMIN)
FIRST_RUN = Actor("first run (bundled sample)", ADMIN)


def command_line_actor() -> Actor:
    """Whoever runs `python -m analysis`: they can open the database file, so they are admin."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Actor(f"command line ({user})", ADMIN)


def allows(actor: Actor, role: str) -> bool:
    """Whether `actor` holds `role`; an admin may do whatever a viewer may."""
    return actor.is_admin if role == ADMIN else actor.may_view


def require(actor: Actor, role: str, what: str) -> None:
    """Raise AccessDenied unless `actor` holds `role`."""
    if not allows(actor, role):
        held = f"the {actor.role} role" if actor.role else "no role"
        raise AccessDenied(
            f"Not authorised: {what} needs the {role} role, and {actor.email} has {held}. "
            "Nothing was changed."
        )


class RolesFileError(MentoringError):
    """The roles file cannot be read; nobody is let in until it is fixed."""


@dataclass(frozen=True)
class Roles:
    """The roles file as read: exact emails and whole domains, all lower case."""

    by_email: Mapping[str, str] = field(default_factory=dict)
    by_domain: Mapping[str, str] = field(default_factory=dict)

    def role_of(self, email: str | None) -> str | None:
        """The role for `email`: an exact email entry wins over its domain's; case is ignored.
        None for an empty or malformed address, or one the file does not name."""
        address = (email or "").strip().lower()
        if not _EMAIL.match(address):
            return None
        if address in self.by_email:
            return self.by_email[address]
        return self.by_domain.get(address.rsplit("@", 1)[1])


def parse_roles(text: str, source: str = "the roles file") -> Roles:
    """Read a roles file: a [roles] table of "email or domain" = "admin" | "viewer"."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RolesFileError(f"{source} is not valid TOML: {exc}.") from exc
    table = document.get("roles", {})
    if not isinstance(table, dict):
        raise RolesFileError(f'{source}: [roles] must be a table of "email or domain" = "role".')
    unknown = sorted(set(document) - {"roles"})
    if unknown:
        raise RolesFileError(
            f"{source}: unexpected section {', '.join(unknown)}; put every entry under [roles]."
        )
    by_email: dict[str, str] = {}
    by_domain: dict[str, str] = {}
    for key, value in table.items():
        who = str(key).strip().lower()
        role = str(value).strip().lower() if isinstance(value, str) else value
        if role not in ROLES:
            raise RolesFileError(
                f'{source}: \'{key}\' has the role {value!r}; use "admin" or "viewer".'
            )
        if _EMAIL.match(who):
            target, name = by_email, who
        elif _DOMAIN.match(who):
            target, name = by_domain, who.lstrip("@")
        else:
            raise RolesFileError(
                f"{source}: '{key}' is neither an email address (name@example.com) nor a "
                "domain (example.com)."
            )
        if target.get(name, role) != role:
            raise RolesFileError(
                f"{source}: '{name}' is listed twice with different roles "
                f"({target[name]} and {role}); keep one."
            )
        target[name] = str(role)
    return Roles(by_email=by_email, by_domain=by_domain)


def roles_path() -> Path:
    """$MENTORING_ROLES, else .streamlit/roles.toml beside the app (kept apart from the data)."""
    configured = os.environ.get(ROLES_ENV_VAR)
    return Path(configured) if configured else DEFAULT_ROLES_FILE


_roles_cache: dict[Path, tuple[int, Roles]] = {}


def load_roles(path: Path | None = None) -> Roles:
    """The roles file, re-read whenever it changes on disk. A missing file names nobody."""
    path = path or roles_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return Roles()
    cached = _roles_cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RolesFileError(f"Could not read the roles file {path}: {exc}.") from exc
    roles = parse_roles(text, source=str(path))
    _roles_cache[path] = (stamp, roles)
    return roles


def signed_in_actor(claims: Mapping[str, Any], roles: Roles) -> Actor:
    """The actor for an identity token's claims. An address the provider says it has not
    verified gets no role, whatever the roles file says."""
    email = str(claims.get("email") or "").strip()
    if not email:
        return Actor("(no email address)", None)
    if claims.get("email_verified") is False:
        return Actor(email, None)
    return Actor(email, roles.role_of(email))


# -- Sign-in and reach ------------------------------------------------------------------------


def sign_in_providers(auth: Mapping[str, Any] | None) -> list[str | None]:
    """The identity providers an [auth] secrets section configures: None for the unnamed one
    ([auth] itself holds client_id), then each named [auth.NAME] table."""
    if not auth:
        return []
    providers: list[str | None] = []
    if "client_id" in auth or "server_metadata_url" in auth:
        providers.append(None)
    providers += [name for name, value in auth.items() if isinstance(value, Mapping)]
    return providers


def sign_in_configured(auth: Mapping[str, Any] | None) -> bool:
    """Any [auth] section means sign-in is wanted: fail closed on a half-written one."""
    return bool(auth)


def is_loopback(address: str | None) -> bool:
    """Whether a bind address (or a client's address) is this computer only."""
    if address is None:
        return False
    text = address.strip().strip("[]")
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


LOCAL = "local"  # no sign-in; the server listens on this computer only
OPEN = "open"  # no sign-in; listening beyond this computer because the flag said so
GUARDED = "guarded"  # no sign-in; listening beyond this computer without the flag
SIGN_IN = "sign-in"


def serving_mode(sign_in: bool, address: str | None, allow_remote: bool) -> str:
    """How this server is reachable: SIGN_IN, LOCAL, OPEN or GUARDED (see the constants).
    `address` is the bound address; unset or empty means every interface."""
    if sign_in:
        return SIGN_IN
    if is_loopback(address):
        return LOCAL
    return OPEN if allow_remote else GUARDED


def unsigned_actor(mode: str, client_ip: str | None) -> Actor | None:
    """Without sign-in: the person at this computer is the local user (admin). Anyone else is
    let in only in OPEN mode (named by their address in the audit trail), never in GUARDED.
    `client_ip` None means this computer (Streamlit's way of saying so)."""
    if mode == LOCAL or client_ip is None or is_loopback(client_ip):
        return LOCAL_USER
    if mode == OPEN:
        return Actor(f"no sign-in, from {client_ip}", ADMIN)
    return None


def allow_remote_flag(environ: Mapping[str, str]) -> bool:
    return environ.get(ALLOW_REMOTE_ENV_VAR, "").strip().lower() in {"1", "true", "yes"}


# -- For scripts/run.sh: which address to bind --------------------------------------------------


def _option_values(args: Sequence[str], name: str) -> list[str]:
    """Values of `--name VALUE` or `--name=VALUE` among streamlit's arguments (before any `--`)."""
    values: list[str] = []
    flag = f"--{name}"
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == flag and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith(flag + "="):
            values.append(arg.split("=", 1)[1])
    return values


def secrets_files(args: Sequence[str], cwd: Path, home: Path) -> list[Path]:
    """Where Streamlit will look for secrets.toml: --secrets.files when given, else
    ~/.streamlit/secrets.toml and ./.streamlit/secrets.toml."""
    given = _option_values(args, "secrets.files")
    if given:
        return [Path(p) for p in given]
    return [home / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def auth_section_in(files: Sequence[Path]) -> dict[str, Any]:
    """The [auth] section Streamlit would read from these files (later files win)."""
    merged: dict[str, Any] = {}
    for path in files:
        if path.is_file():
            try:
                document = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise MentoringError(f"Could not read {path}: {exc}.") from exc
            merged.update(document.get("auth") or {})
    return merged


@dataclass(frozen=True)
class LaunchPlan:
    """What scripts/run.sh adds to `streamlit run`: an address to bind (None: leave it to the
    deployer's flags and config), or a refusal in words."""

    address: str | None = None
    refusal: str | None = None


def launch_plan(args: Sequence[str], sign_in: bool, allow_remote: bool) -> LaunchPlan:
    """Without sign-in the dashboard serves this computer only: bind 127.0.0.1 unless the
    --allow-remote flag is given; refuse another address without it."""
    given = _option_values(args, "server.address")
    if sign_in:
        return LaunchPlan()
    if allow_remote:
        return LaunchPlan(address=None if given else "0.0.0.0")  # noqa: S104 (asked for)
    if given and not all(is_loopback(a) for a in given):
        return LaunchPlan(
            refusal=(
                f"Refusing to listen on {given[-1]}: no sign-in is configured, so anyone who "
                "can reach that address would see every mentor's scorecard and could change "
                "the data. Configure sign-in (README, 'Sign-in'), or run again with "
                "--allow-remote to accept that risk (the dashboard then shows a warning)."
            )
        )
    return LaunchPlan(address=None if given else "127.0.0.1")


def _main(argv: Sequence[str]) -> int:
    """`python -m analysis.access launch-address STREAMLIT_ARGS...`: print the address to bind
    (or nothing), or explain a refusal on stderr and exit 2. Used by scripts/run.sh."""
    if not argv or argv[0] != "launch-address":
        print(
            "usage: python -m analysis.access launch-address [streamlit args...]", file=sys.stderr
        )
        return 2
    args = list(argv[1:])
    try:
        auth = auth_section_in(secrets_files(args, Path.cwd(), Path.home()))
    except MentoringError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    plan = launch_plan(args, sign_in_configured(auth), allow_remote_flag(os.environ))
    if plan.refusal:
        print(plan.refusal, file=sys.stderr)
        return 2
    print(plan.address or "")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
