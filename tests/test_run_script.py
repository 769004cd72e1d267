"""scripts/run.sh as the README runs it: without sign-in configured the server listens on this
computer only, and refuses another address unless told --allow-remote. What is listening is read
from the kernel's socket tables (/proc/net/tcp, /proc/net/tcp6); no traffic leaves loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

LISTEN = "0A"

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ip_from_proc(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """/proc/net/tcp* write addresses as 32-bit words in host (little-endian) byte order."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(words)


@pytest.mark.parametrize(
    "hex_address, expected",
    [
        ("0100007F", "127.0.0.1"),
        ("00000000", "0.0.0.0"),
        ("0A01A8C0", "192.168.1.10"),
        ("00000000000000000000000001000000", "::1"),
        ("00000000000000000000000000000000", "::"),
    ],
)
def test_socket_table_addresses_are_read_as_the_kernel_writes_them(hex_address, expected):
    assert _ip_from_proc(hex_address) == ipaddress.ip_address(expected)


def _listening_on(port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == LISTEN and int(port_hex, 16) == port:
                found.append(_ip_from_proc(address))
    return found


def _run_script(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run.sh"), *args],
        cwd=ROOT,
        env=env or dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_without_sign_in_the_run_script_listens_on_this_computer_only(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MENTORING_ALLOW_REMOTE"}
    server = _run_script(
        "--server.port",
        str(port),
        "--secrets.files",
        str(tmp_path / "no-secrets.toml"),  # whatever this machine's own secrets say
        "--",
        "--db",
        str(tmp_path / "program.duckdb"),
        env=env,
    )
    try:
        seen = []
        for line in server.stdout:
            seen.append(line)
            if "URL:" in line:
                break
        else:
            pytest.fail("the dashboard did not start:\n" + "".join(seen))
        threading.Thread(target=server.stdout.read, daemon=True).start()
        listening = _listening_on(port)
        assert listening, "nothing listens on the port the dashboard said it serves"
        assert all(address.is_loopback for address in listening), listening
        assert f"URL: http://127.0.0.1:{port}" in "".join(seen)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_run_script_refuses_another_address_without_sign_in(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MENTORING_ALLOW_REMOTE"}
    refused = _run_script(
        "--server.address",
        "0.0.0.0",
        "--server.port",
        str(port),
        "--secrets.files",
        str(tmp_path / "no-secrets.toml"),
        env=env,
    )
    output, _ = refused.communicate(timeout=300)
    assert refused.returncode == 2
    assert "Refusing to listen on 0.0.0.0: no sign-in is configured" in output
    assert "--allow-remote" in output
    assert _listening_on(port) == []
