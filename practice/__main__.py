"""Command line: `python -m practice serve | web | build | worker | mailer | drive | migrate | demo | generate | verify | backup | restore`."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from practice import web_build
from practice.config import PORT, ROOT, data_dir, database_url, trusted_proxies
from practice.db import read_session, write_session
from practice.migrate import upgrade
from practice.move_database import MoveError, move
from practice.models import Firm
from practice.services import demo, events
from practice.services.backups import archive
from practice.services.signing import certificates, verify
from practice.supervisor import Supervisor, wait_until_writable
from practice.drive_app import main as drive_main
from practice.worker import tasks as worker_tasks
from practice.worker.consumer import consumer_command
from practice.worker.mailer import main as mailer_main


def _migrate_and_seed() -> None:
    upgrade()
    events.set_doorbell(worker_tasks.ring_doorbell)  # the demo's new jobs reach the worker at once
    with write_session() as session:
        login = demo.ensure_demo(session)
    if login:
        print(f"\nDemo firm loaded. Log in as {login['email']} with password {login['password']}\n", flush=True)
    _prepare_signing()


def _prepare_signing(*, only_if_firm_exists: bool = False) -> None:
    """Make the firm's sealing certificate at setup (once), so signed files can be sealed from the start."""
    with write_session() as session:
        if only_if_firm_exists and session.exec(select(Firm)).first() is None:
            return  # the certificate names the firm: wait until it has a name
        certificates.ensure_certificate(session)


def serve_commands() -> dict[str, list[str]]:
    """The four processes `serve` runs, by name: the web app, the Huey consumer, the mailer and the drive."""
    return {
        "web": [sys.executable, "-m", "practice", "web"],
        "worker": [sys.executable, "-m", "practice", "worker"],
        "mailer": [sys.executable, "-m", "practice", "mailer"],
        "drive": [sys.executable, "-m", "practice", "drive"],
    }


# `reflex run --env prod` compiles and builds the pages on every start (a minute on a busy machine). A web app that
# crashed is restarted on the pages its first start built: the same server Reflex runs (Granian, one worker
# without Redis) serving the built pages, back in seconds. Reflex reads these two settings under internal names.
WEB_RESTART_ENV = {"REFLEX_ENV_MODE": "prod", "__REFLEX_SKIP_COMPILE": "true",
                   "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "true",
                   "REFLEX_FRONTEND_PORT": str(PORT), "REFLEX_BACKEND_PORT": str(PORT)}


def web_restart_command() -> list[str]:
    """The web app without its build step, for restarts."""
    workers = os.environ.get("GRANIAN_WORKERS", "1")
    return [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
            "--port", str(PORT), "--workers", workers, "--respawn-failed-workers", "practice.practice:app"]


REFLEX_RUN = ["run", "--env", "prod", "--frontend-port", str(PORT), "--backend-port", str(PORT),
              "--backend-host", "127.0.0.1"]


def web_command() -> int:
    """`reflex run --env prod` (build the pages, then serve them), with Granian restarting a web worker that dies.

    With several web workers (GRANIAN_WORKERS), Granian's own default is to stop every worker and the port when one
    of them exits unexpectedly: one crashed worker took the whole site down for the time `serve` needed to start it
    again (half a minute), and every open page lost its connection. Reflex builds its Granian server without a way
    to pass the setting, so the server class it imports is given it here; only the dead worker is replaced, and the
    pages connected to the others carry on (tests/e2e/test_scale_out.py)."""
    import granian.server
    from reflex.reflex import cli

    class RespawningServer(granian.server.Server):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("respawn_failed_workers", True)
            super().__init__(*args, **kwargs)

    granian.server.Server = RespawningServer
    web_build.install()  # a start that changed no page serves the bundle already made
    cli.main(args=REFLEX_RUN, prog_name="reflex")
    return 0


def build_command() -> int:
    """The production build of the pages (`reflex export --frontend-only`), reusing a bundle of the same pages."""
    from reflex.reflex import cli

    web_build.install()
    cli.main(args=["export", "--frontend-only", "--no-zip", "--env", "prod"], prog_name="reflex")
    return 0


def serve() -> int:
    """Start the web app, the Huey consumer, the mailer and the drive, restart any that stops; Ctrl-C stops them all."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s serve %(levelname)s %(message)s")
    _migrate_and_seed()
    supervisor = Supervisor(serve_commands(), cwd=ROOT, env=dict(os.environ),
                            restarts={"web": (web_restart_command(), WEB_RESTART_ENV)})
    supervisor.start()
    print(f"practice: open http://127.0.0.1:{PORT} (first start builds the web app; give it a minute)", flush=True)

    def request_stop(*_):
        supervisor.stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    supervisor.run()
    supervisor.stop()
    return 0


def verify_command(path: str, trust_files: list[str]) -> int:
    """Print whether the file is intact and sealed by a trusted certificate; 0 when it is, 1 otherwise."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    if trust_files:
        pems = []
        for name in trust_files:
            try:
                with open(name, "rb") as fh:
                    pems.append(fh.read().decode("latin-1"))
            except OSError as exc:
                print(f"Cannot read the certificate {name}: {exc.strerror or exc}.", file=sys.stderr)
                return 1
        report = verify.verify(data, trust_roots_pem=pems)
    else:
        report = _verify_with_firm_certificates(data)
        if report is None:
            print("This computer has no firm database to take the firm's certificates from; "
                  "give the certificate to trust with --trust CERT.pem.", file=sys.stderr)
            return 1
    print(f"File: {path}")
    print("\n".join(verify.describe(report)))
    return 0 if report.intact and report.trusted else 1


def _verify_with_firm_certificates(data: bytes):
    """Verify against the firm's certificates from the database, or None when there is no set-up database."""
    url = database_url()
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):
        return None  # do not create an empty database just to look in it
    try:
        with read_session() as session:
            if not certificates.all_certificates(session):
                return None
            return verify.verify(data, session=session)
    except SQLAlchemyError:
        return None


def move_command(url: str) -> int:
    """Copy the firm's SQLite database into PostgreSQL; 0 when every row is there, 1 with a sentence otherwise."""
    try:
        counts = move(database_url(), url)
    except MoveError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Moved {sum(counts.values())} rows in {len(counts)} tables. Start the app with DATABASE_URL set to the "
          "PostgreSQL database; keep the SQLite file until you have checked the firm there.")
    return 0


def backup_command(dest: str) -> int:
    """Write one checked archive of the running firm's data; 0 when it is written, 1 with a sentence otherwise."""
    try:
        target, manifest = archive.write_backup(Path(dest))
    except archive.BackupError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Backup written to {target}: the database ({sum(manifest.counts.values())} rows), {manifest.file_count} "
          f"stored files and the keys, {manifest.total_bytes / 1e6:.1f} MB. Checked: every part's SHA-256 matches.")
    return 0


def restore_command(path: str) -> int:
    """Restore an archive onto the empty data folder, then bring its database to this version's schema."""
    try:
        manifest = archive.restore(Path(path))
    except archive.BackupError as err:
        print(err, file=sys.stderr)
        return 1
    upgrade()
    print(f"Restored the backup of {manifest.created_at} into {data_dir()}: the database "
          f"({sum(manifest.counts.values())} rows) and {manifest.file_count} stored files, every part checked.")
    return 0


def worker_or_mailer(name: str) -> int:
    """Run the worker or the mailer once the data folder takes writes (a full or read-only disk is waited out)."""
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {name} %(levelname)s %(message)s")
    wait_until_writable(f"the {name}")  # Huey's queue cannot even open on a full or read-only disk
    if name == "mailer":
        return mailer_main()
    command = consumer_command(workers=2)  # the consumer's own command line: a service manager needs no copy
    os.execv(command[0], command)
    return 1  # not reached: execv replaced this process


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m practice")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("serve", help="run the web app, the worker and the mailer")
    sub.add_parser("worker", help="run the Huey consumer that runs the automations (serve starts it)")
    sub.add_parser("mailer", help="send the queued mail (serve starts it)")
    sub.add_parser("drive", help="serve the documents over WebDAV on PRACTICE_DRIVE_PORT (serve starts it)")
    sub.add_parser("web", help="build the pages and serve the web app (serve starts it)")
    sub.add_parser("build", help="build the pages for production without serving them (as web does)")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="migrate and load the demo firm if the database is empty")
    gen = sub.add_parser("generate", help="add a large generated firm (benchmarks)")
    gen.add_argument("--accounts", type=int, default=5000)
    gen.add_argument("--jobs", type=int, default=50000)
    ver = sub.add_parser("verify", help="check a signed PDF's seal and show its audit trail")
    ver.add_argument("file", help="the PDF to check")
    ver.add_argument("--trust", action="append", default=[], metavar="CERT.pem",
                     help="a certificate to trust (repeatable); without it, the firm's own certificates")
    back = sub.add_parser("backup", help="write one checked archive of the data (safe while the app runs)")
    back.add_argument("dest", help="a folder (the archive is named by the time) or the archive's file name")
    rest = sub.add_parser("restore", help="restore an archive onto an empty data folder")
    rest.add_argument("archive", help="the archive `backup` wrote")
    mv = sub.add_parser("move-to-postgres", help="copy this firm's SQLite database into an empty PostgreSQL database")
    mv.add_argument("url", help="the PostgreSQL database, postgresql://user:password@host/database")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.cmd in ("serve", "drive"):
        try:
            trusted_proxies()  # a wrong PRACTICE_TRUSTED_PROXIES stops the start, with its sentence
        except ValueError as err:
            print(err, file=sys.stderr)
            return 2
    if args.cmd == "backup":
        return backup_command(args.dest)
    if args.cmd == "restore":
        return restore_command(args.archive)
    if args.cmd == "verify":
        return verify_command(args.file, args.trust)
    if args.cmd == "move-to-postgres":
        return move_command(args.url)
    if args.cmd == "serve":
        return serve()
    if args.cmd in ("worker", "mailer"):
        return worker_or_mailer(args.cmd)
    if args.cmd in ("drive", "web", "build"):
        return {"drive": drive_main, "web": web_command, "build": build_command}[args.cmd]()
    if args.cmd == "migrate":
        upgrade()
        _prepare_signing(only_if_firm_exists=True)
        return 0
    if args.cmd == "demo":
        _migrate_and_seed()
        return 0
    if args.cmd == "generate":
        upgrade()
        start = time.perf_counter()
        with write_session() as session:
            demo.generate_large(session, n_accounts=args.accounts, n_jobs=args.jobs)
        print(f"generated {args.accounts} accounts and {args.jobs} jobs in {time.perf_counter() - start:.2f} s")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
