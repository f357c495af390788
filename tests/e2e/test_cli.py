"""The README's main command on the embedded defaults: `lapkin demo` starts a Redis of its own (none is reachable
at REDIS_URL), SQLite under LAPKIN_DATA_DIR and the four services, runs the worked example and stops cleanly;
`lapkin up` runs until Ctrl-C and then stops every child; `lapkin officials create` makes an official who can log in;
`lapkin demo --lengkap` against `lapkin up` takes every period to its final, up to the signed annual LKIP that the
public verification page knows, and leaves the demo officials' logins in a file only its owner can read."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import time
from pathlib import Path

import httpx

from lapkin.supervisor import redis_reachable
from shared.config import Settings
from shared.signing import office_credential, verify_pdf
from tests.e2e.conftest import free_port
from tests.e2e.up import LAPKIN, lapkin_up

PUBLIC_URL_WARNING = "LAPKIN_PUBLIC_BASE_URL belum diatur / is unset"
LENGKAP_ROLES = {"staf", "subkor", "kabid", "sekretaris", "kepala_dinas", "inspektorat"}  # the chains, the evaluator


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPKIN_") and k not in ("DATABASE_URL",)}
    env.update(
        {
            "LAPKIN_DATA_DIR": str(data_dir),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "LAPKIN_COLLECTOR_PORT": str(free_port()),
            "LAPKIN_AGGREGATOR_PORT": str(free_port()),
            "LAPKIN_APPROVAL_PORT": str(free_port()),
            "LAPKIN_RENDERER_PORT": str(free_port()),
        }
    )
    return env


def test_demo_runs_the_worked_example_on_embedded_defaults(tmp_path):
    env = embedded_env(tmp_path)
    done = subprocess.run([*LAPKIN, "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "redis-server" in done.stdout  # it started a real Redis of its own
    assert "TAHUNAN" in done.stdout and "99,84" in done.stdout  # Indonesian number format, from the recap
    final_pdf = tmp_path / "documents" / "2024" / "TW1" / "v1" / "final" / "laporan.pdf"
    assert final_pdf.exists() and final_pdf.read_bytes().startswith(b"%PDF")
    # signed out of the box: the demo made a self-signed office certificate in the data folder (issue 15, item 10)
    credential = office_credential(Settings(data_dir=tmp_path))
    assert credential is not None and credential.signer_name == "Dinas Ketenagakerjaan Kota Tangerang"
    assert verify_pdf(final_pdf.read_bytes(), [credential.certificate]).signed_valid
    assert "/verifikasi/" in done.stdout
    # the quick demo's two officials can log in later: their passwords are in a file only its owner reads
    logins = credentials(tmp_path / "demo-pejabat.txt")
    assert {row[1] for row in logins.values()} == {"staf", "subkor"}
    assert "demo-pejabat.txt (mode 0600)" in done.stdout and "lapkin up" in done.stdout  # it stopped its services
    assert not any(password in done.stdout for password, *_ in logins.values())
    assert done.stdout.count(PUBLIC_URL_WARNING) == 1  # the QR codes it printed point to 127.0.0.1
    assert (tmp_path / "collector.db").exists() and (tmp_path / "redis" / "appendonlydir").exists()
    assert not redis_reachable(env["REDIS_URL"])  # the Redis it started was stopped with it


def credentials(path: Path) -> dict[str, list[str]]:
    """The demo's credentials file, checked to be the owner's alone: username → [password, role, nama]."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    rows = [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("#")]
    assert rows and all(len(row) == 4 and len(row[1]) >= 8 for row in rows), rows
    return {username: rest for username, *rest in rows}


def wait_up(proc: subprocess.Popen[str], env: dict[str, str]) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            ports = ("COLLECTOR", "AGGREGATOR", "APPROVAL", "RENDERER")
            if all(
                httpx.get(f"http://127.0.0.1:{env[f'LAPKIN_{p}_PORT']}/healthz", timeout=1).status_code == 200
                for p in ports
            ):
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "lapkin up did not come up"
        time.sleep(0.3)


def test_demo_lengkap_takes_every_period_to_the_signed_final_lkip(tmp_path, database_url):
    """`lapkin demo --lengkap` on the running system (`lapkin up`; PostgreSQL when the tests have one): TW2–TW4, S1,
    S2 and the annual report through every chain of workflow.yaml; the LKIP's files are where it says, with the
    SHA-256 it prints, signed for the Kepala Dinas; the verification page knows the PDF; every demo official logs
    in with the file's password, and a second run keeps the logins it knows and renews one it lost."""
    env = embedded_env(tmp_path)
    if database_url:
        env["DATABASE_URL"] = database_url
    proc = subprocess.Popen([*LAPKIN, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    approval = f"http://127.0.0.1:{env['LAPKIN_APPROVAL_PORT']}"
    try:
        wait_up(proc, env)
        done = subprocess.run([*LAPKIN, "demo", "--lengkap"], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        for periode in ("TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN"):
            assert re.search(rf"^   {periode} +final ", out, re.M), out
        assert "Kepala Bidang, Sekretaris, Kepala Dinas" in out  # the annual chain, stage by stage

        # the final LKIP's three files, each with the SHA-256 printed next to it
        printed = dict(re.findall(r"^   (\S+/TAHUNAN/v\d+/final/laporan\.\w+)  SHA-256 ([0-9a-f]{64})$", out, re.M))
        assert sorted(Path(p).suffix for p in printed) == [".docx", ".pdf", ".xlsx"], out
        for path, sha in printed.items():
            assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha, path
        (pdf_path,) = (Path(p) for p in printed if p.endswith(".pdf"))
        pdf = pdf_path.read_bytes()
        credential = office_credential(Settings(data_dir=tmp_path))
        assert credential is not None and verify_pdf(pdf, [credential.certificate]).signed_valid
        text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                        .stdout.decode().split())  # fmt: skip
        assert "belum disahkan" not in text and "DRAF" not in text
        pengesahan = text[text.upper().rfind("LEMBAR PENGESAHAN") :]
        for who in ("Rina Staf", "Agus Setiawan", "Hadi Santoso", "Ujang Hendra Gunawan"):
            assert who in pengesahan, who

        # issue 17: the follow-up the demo issued from the annual recap before the LKIP's approval, done with its
        # evidence, is in the final LKIP's section on follow-ups and in the evaluator's export of the year
        issued = re.search(r"^   Tindak lanjut (\S+) \(([A-Z]+-[\d.]+), capaian ", out, re.M)
        assert issued, out
        nomor, kode = issued.groups()
        section = text[text.rfind("Tindak Lanjut dan Pemanfaatan Informasi Kinerja") :]
        assert nomor in section.replace(" ", "") and kode in section, section[:2000]  # a table cell wraps the nomor
        assert "1 selesai" in section, section[:2000]
        assert re.search(r"Uji kualitas LKjIP \(kriteria terukur\): .*benchmark 4/9", out), out

        # the verification page knows the signed PDF: the link printed, and its JSON with the approval chain
        sha = hashlib.sha256(pdf).hexdigest()
        assert f"Verifikasi: {approval}/verifikasi/{sha}" in out
        assert httpx.get(f"{approval}/verifikasi/{sha}", timeout=30).status_code == 200
        known = httpx.get(f"{approval}/api/v1/verifikasi/{sha}", timeout=30)
        assert known.status_code == 200, known.text
        assert known.json()["periode"] == "TAHUNAN" and len(known.json()["chain"]) == 4
        kepala = json.loads((Path(__file__).resolve().parents[2] / "examples" / "pk-2024.json").read_text())
        assert known.json()["chain"][-1]["nama"] == kepala["instansi"]["kepala"]["nama"]  # the PK's Kepala Dinas
        assert any(f["format"] == "pdf" and f["matched"] for f in known.json()["files"])

        # every demo official logs in with the file's password, as the role it was made for
        path = tmp_path / "demo-pejabat.txt"
        logins = credentials(path)
        assert {row[1] for row in logins.values()} == LENGKAP_ROLES
        assert not any(password in out for password, *_ in logins.values())

        def login(username: str, password: str) -> httpx.Response:
            return httpx.post(f"{approval}/api/v1/login", json={"username": username, "password": password})

        for username, (password, role, _) in logins.items():
            r = login(username, password)
            assert r.status_code == 200 and r.json()["official"]["role"] == role, (username, r.text)

        # the inspektorat's export lists the follow-up with its evidence, and the decisions on the reports
        inspektorat = login("inspektorat.demo", logins["inspektorat.demo"][0]).json()["token"]
        export = httpx.get(
            f"{approval}/api/v1/evaluasi/2024/pemanfaatan", headers={"Authorization": f"Bearer {inspektorat}"}
        )
        assert export.status_code == 200, export.text
        uses = export.json()["pemanfaatan"]
        done = [u for u in uses if u["jenis"] == "tindak_lanjut_selesai"]
        assert len(done) == 1 and done[0]["indikator"] == [kode] and done[0]["bukti"], done
        assert any(u["jenis"] == "keputusan" and u["periode"] == "TAHUNAN" for u in uses)

        # a second run: the logins the file knows stay; a lost one (the staf's row) gets a new password
        lost = logins.pop("staf.demo")[0]
        path.unlink()
        path.write_text("".join(f"{u}\t{chr(9).join(rest)}\n" for u, rest in logins.items()))
        again = subprocess.run([*LAPKIN, "demo"], env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
        # as the README says of a second run: the certificate kept, the final quarters' reports refused, and
        # Triwulan I's approval step says it was final already rather than printing nothing
        assert "0. Sertifikat" not in again.stdout, again.stdout
        assert "25 untuk triwulan yang sudah final: ditolak" in again.stdout, again.stdout
        assert "   sudah final sebelumnya" in again.stdout, again.stdout
        renewed = credentials(path)  # mode 0600 again, though the test wrote it with its umask
        assert {u: rest for u, rest in renewed.items() if u != "staf.demo"} == logins
        assert renewed["staf.demo"][0] != lost
        assert login("staf.demo", lost).status_code == 401
        assert login("staf.demo", renewed["staf.demo"][0]).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        up_out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, up_out
    assert up_out.count(PUBLIC_URL_WARNING) == 1, up_out


def test_up_stops_cleanly_on_ctrl_c_and_officials_create_makes_a_login(tmp_path):
    data = tmp_path / "data"  # not there yet: the commands make it, the owner's only
    env = embedded_env(data)
    created = subprocess.run(
        [
            *LAPKIN,
            "officials",
            "create",
            "--username",
            "sekdin",
            "--nama",
            "Sekretaris Dinas",
            "--role",
            "sekretaris",
            "--password",
            "rahasia-sekali",
            "--nip",
            "197001011990031001",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    up = lapkin_up(env)
    approval = f"http://127.0.0.1:{env['LAPKIN_APPROVAL_PORT']}"
    try:
        # Ctrl-C once it says it runs, as a person would (Ctrl-C while it starts stops the start: exit 130, tested in
        # tests/e2e/test_workers.py)
        up.wait_running()
        r = httpx.post(f"{approval}/api/v1/login", json={"username": "sekdin", "password": "rahasia-sekali"})
        assert r.status_code == 200 and r.json()["official"]["role"] == "sekretaris"
    finally:
        up.stop()
    out = up.out
    assert up.proc.returncode == 0, out
    # the admin token is never printed (a terminal's scrollback, a service manager's journal): where it is, is
    token = (data / "admin_token").read_text().strip()
    assert token not in out and "LAPKIN_ADMIN_TOKEN=" not in out
    assert "none: finals are published unsigned" in out  # no office certificate here: said at the start
    assert f"basis data / database SQLite {data.resolve()}" in out  # which rows it runs on, said too
    assert str((data / "admin_token").resolve()) in out
    assert f"secret key: {(data / 'secret_key').resolve()}" in out and "a second machine needs the same" in out
    # secrets and databases readable by their owner only, in a data folder only the owner can enter
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("secret_key", "admin_token", "approval.db", "collector.db"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    for port in ("LAPKIN_COLLECTOR_PORT", "LAPKIN_AGGREGATOR_PORT", "LAPKIN_APPROVAL_PORT", "LAPKIN_RENDERER_PORT"):
        try:
            httpx.get(f"http://127.0.0.1:{env[port]}/healthz", timeout=1)
            raise AssertionError(f"{port} still answers after Ctrl-C")
        except httpx.HTTPError:
            pass
    assert not redis_reachable(env["REDIS_URL"])


def lapkin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LAPKIN, *args], env=env, capture_output=True, text=True, timeout=120)


def one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert all(w in done.stderr for w in words), done.stderr


def test_officials_and_keys_commands_take_credentials_back_on_the_running_system(tmp_path):
    """`lapkin officials list|deactivate|reset-password|unlock` and `lapkin keys list|revoke` against `lapkin up`:
    each takes effect on the services' next request; mistakes are one line on stderr and exit status 2."""
    env = embedded_env(tmp_path)
    for username, role in (("sekdin", "sekretaris"), ("rina", "staf")):
        made = lapkin(env, "officials", "create", "--username", username, "--nama", username.title(), "--role", role,
                      "--password", "rahasia-sekali")  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
    proc = subprocess.Popen([*LAPKIN, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = {s: f"http://127.0.0.1:{env[f'LAPKIN_{s.upper()}_PORT']}" for s in ("collector", "approval")}
    try:
        wait_up(proc, env)  # all four: the Ctrl-C at the end must find it running, not starting
        admin = {"Authorization": f"Bearer {(tmp_path / 'admin_token').read_text().strip()}"}

        def login(username: str, password: str = "rahasia-sekali") -> httpx.Response:
            return httpx.post(f"{url['approval']}/api/v1/login", json={"username": username, "password": password})

        listed = lapkin(env, "officials", "list")
        assert listed.returncode == 0 and "sekdin" in listed.stdout and "rina" in listed.stdout, listed.stderr
        assert listed.stdout.count("aktif/active") == 2

        # deactivate: the official's token dies on every service at once
        token = {"Authorization": f"Bearer {login('sekdin').json()['token']}"}
        assert httpx.get(f"{url['collector']}/api/v1/kelengkapan/2024", headers=token).status_code in (200, 404)
        done = lapkin(env, "officials", "deactivate", "sekdin")
        assert done.returncode == 0 and "in effect at once" in done.stdout, done.stdout + done.stderr
        assert httpx.get(f"{url['approval']}/api/v1/pengingat", headers=token).status_code == 401
        assert httpx.get(f"{url['collector']}/api/v1/kelengkapan/2024", headers=token).status_code == 401
        assert login("sekdin").status_code == 401
        assert "nonaktif/inactive" in lapkin(env, "officials", "list").stdout

        # reset-password: the old token and password die, the new password works
        token = {"Authorization": f"Bearer {login('rina').json()['token']}"}
        done = lapkin(env, "officials", "reset-password", "rina", "--password", "sandi-baru-2024")
        assert done.returncode == 0, done.stdout + done.stderr
        assert httpx.get(f"{url['approval']}/api/v1/drafts", headers=token).status_code == 401
        assert login("rina").status_code == 401 and login("rina", "sandi-baru-2024").status_code == 200

        # unlock: failures make a delay; unlock forgets them
        while login("rina", "salah").status_code != 429:
            pass
        assert login("rina", "sandi-baru-2024").status_code == 429
        assert lapkin(env, "officials", "unlock", "rina").returncode == 0
        # (the client's own counter still allows: fewer than its free failures)
        assert login("rina", "sandi-baru-2024").status_code == 200

        # keys: list shows no secret; revoke is 401 on the next request
        key = httpx.post(f"{url['collector']}/api/v1/units/BPS/api-keys", headers=admin)
        assert key.status_code == 404  # no PK yet: make the unit first
        pk = (Path(__file__).resolve().parents[2] / "examples" / "pk-2024.json").read_text()
        put = httpx.put(f"{url['collector']}/api/v1/perjanjian-kinerja/2024", content=pk, headers=admin)
        assert put.status_code == 200, put.text
        made = httpx.post(f"{url['collector']}/api/v1/units/BPS/api-keys", headers=admin).json()
        unit = {"Authorization": f"Bearer {made['api_key']}"}
        status = f"{url['collector']}/api/v1/periode/2024/TW1/status"
        assert httpx.get(status, headers=unit).status_code == 200
        keys = lapkin(env, "keys", "list")
        assert keys.returncode == 0 and f"{made['id']:>4}  BPS" in keys.stdout and made["api_key"] not in keys.stdout
        revoked = lapkin(env, "keys", "revoke", str(made["id"]))
        assert revoked.returncode == 0, revoked.stdout + revoked.stderr
        assert httpx.get(status, headers=unit).status_code == 401
        assert "dicabut/revoked" in lapkin(env, "keys", "list").stdout

        # mistakes: one line, no traceback
        one_line_error(lapkin(env, "officials", "deactivate", "tidak-ada"), "unknown official", "tidak-ada")
        one_line_error(lapkin(env, "officials", "unlock", "tidak-ada"), "unknown official")
        one_line_error(lapkin(env, "officials", "reset-password", "rina", "--password", "pendek"), "at least 8")
        one_line_error(lapkin(env, "keys", "revoke", "99999"), "No API key 99999")
        no_db = {**env, "DATABASE_URL": "postgresql+psycopg://lapkin@127.0.0.1:1/lapkin"}
        one_line_error(lapkin(no_db, "officials", "list"), "database unavailable")
        one_line_error(lapkin(no_db, "keys", "list"), "database unavailable")
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out


def test_up_and_demo_refuse_in_one_line_what_would_only_restart_services_in_a_loop(tmp_path):
    """Outsider check: a DATABASE_URL that does not open (a closed port, another database kind, no URL), an office
    certificate that cannot be read, SQLite files whose rows were moved to PostgreSQL: each was ≈ 100 s of services
    exiting and being restarted (the reason in their logs), or finals that could never be signed. Now one line, exit
    2, before anything starts."""
    env = embedded_env(tmp_path)
    cases = [
        ({"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/x"}, "database unavailable (DATABASE_URL)"),
        ({"DATABASE_URL": "mysql://root@db.kantor/lapkin"}, "DATABASE_URL is not usable"),
        ({"LAPKIN_SIGNING_P12": str(tmp_path / "nope.p12")}, "signing certificate cannot be used"),
    ]
    for extra, said in cases:
        one_line_error(lapkin({**env, **extra}, "up"), said)
    (tmp_path / "moved-to-postgresql.json").write_text(json.dumps({"services": ["collector"], "to": "postgresql://x"}))
    for command in ("up", "demo"):
        one_line_error(lapkin(env, command), "were moved to postgresql://x", "set DATABASE_URL")
    assert not (tmp_path / "collector.db").exists()  # nothing started, nothing written
