"""The ``quorum`` command: run the bot, the console, migrations, the roll and the counting tools."""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import __version__

if TYPE_CHECKING:
    from bot.kernel.config import Config

# The bot's own modules are imported when a bot command runs, not here: `quorum count` and
# `quorum sortition` are tools an organiser runs on a laptop and should start in the time Python
# and numpy take, without loading every feature of the bot.


class _Log:
    """The "bot.cli" logger, fetched on first use: `quorum count` never logs, so it does not
    pay for importing logging."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger("bot.cli"), name)


log = _Log()

STARTED_AFTER = 5.0
"""Seconds the adapters run without failing before the log says the bot has started."""


async def _watch_connections(runners: list[Any], every: float = 1.0) -> None:
    """One line each time an adapter's platform is reached, or lost after it was (an operator's
    event): what /healthz says, in the log."""
    import asyncio

    seen: dict[str, bool] = {}
    while True:
        for runner in runners:
            name = type(runner).__name__.removesuffix("Adapter")
            now = getattr(runner.transport, "connected", None)
            if now is None or seen.get(name) == now:
                continue
            if now:
                log.info("%s connected", name)
            elif name in seen:
                log.warning("%s cannot be reached; retrying", name)
            seen[name] = now
        await asyncio.sleep(every)


def _common(defaults: bool) -> argparse.ArgumentParser:
    """--config and -v, taken before or after the command (``quorum --config q.toml run`` and
    ``quorum run --config q.toml`` both work); after it they override only if given."""
    p = argparse.ArgumentParser(add_help=False)
    unset = {} if defaults else {"default": argparse.SUPPRESS}
    p.add_argument("--config", type=Path, help="the TOML configuration file (default: ./quorum.toml if present)",
                   **unset)
    p.add_argument("-v", "--verbose", action="store_true", help="log more", **unset)
    p.add_argument("--log-format", choices=["text", "json"], help="log lines as text (the default) or JSON",
                   **({"default": "text"} if defaults else unset))
    return p


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="quorum", description="Decisions for membership organisations, in chat.",
                                parents=[_common(defaults=True)])
    p.add_argument("--version", action="version", version=f"quorum {__version__}")
    sub = p.add_subparsers(dest="command")
    after = [_common(defaults=False)]
    sub.add_parser("run", parents=after, help="run the bot on the configured platforms (the default)")
    sub.add_parser("console", parents=after, help="a local chat in this terminal; reads a script from stdin if piped")
    sub.add_parser("migrate", parents=after, help="bring the database up to date and exit")
    backup = sub.add_parser("backup", parents=after, help="write a consistent copy of the database, also while it runs")
    backup.add_argument("path", type=Path, help="the file to write the copy to")
    members = sub.add_parser("members", parents=after, help="the membership roll")
    msub = members.add_subparsers(dest="members_command", required=True)
    imp = msub.add_parser("import", parents=after,
                          help="import a roll from CSV (columns: name, number, branch, weight)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--codes", type=Path, help="write the join codes to this CSV file instead of stdout")
    imp.add_argument("--replace", action="store_true", help="mark members missing from the file inactive")
    sub.add_parser("count", help="count an election file (BLT, PrefLib); see quorum count --help", add_help=False)
    sub.add_parser("sortition", help="verifiable sortition tools; see quorum sortition --help", add_help=False)
    return p


def _quiet_pipe() -> None:
    """Stop quietly when the reader of our output goes away (``quorum count f | head``), as
    other command-line tools do, instead of with a BrokenPipeError traceback."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _keep_freed_memory() -> None:
    """Let `quorum count` reuse the memory it frees rather than hand it back to the system.

    A count is a short batch of large numpy temporaries made and freed one after another. By
    default glibc returns each large block to the system when it is freed, and the next one is
    faulted in again page by page: on a million papers and 50 candidates that was 100,000 page
    faults and a fifth of the process's time. Kept in the heap, freed blocks are reused; the peak
    resident set stays where it was (bench/count.py reports it). Only this short-lived command
    asks for it, never the bot; where the C library is not glibc it does nothing."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: large blocks come from the heap, not new mappings
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: freed memory stays for the next block


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Counting and sortition take their own arguments; hand them over untouched. The options
    # every command takes may come before them (`quorum --config q.toml count e.blt`); these
    # tools use no configuration, so they are passed over.
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in ("--config", "--log-format") else 1
    if i < len(argv) and argv[i] in ("count", "sortition"):
        _quiet_pipe()
        if argv[i] == "count":
            _keep_freed_memory()
            from bot.engines.counting.cli import main as count_main

            return count_main(argv[i + 1 :])
        from bot.engines.sortition.cli import main as sortition_main

        return sortition_main(argv[i + 1 :])
    args = _parser().parse_args(argv)
    import asyncio

    from bot.app.runtime import configure_logging
    from bot.kernel.config import load_config
    from bot.kernel.errors import ConfigError, StartError

    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(f"quorum: configuration error: {e}", file=sys.stderr)
        return 2
    command = args.command or "run"
    serving = command == "run" and (config.telegram is not None or config.matrix is not None)
    configure_logging(args.verbose, json_lines=args.log_format == "json", operator=serving)
    try:
        if command == "migrate":
            from bot.storage.database import migrate

            applied = asyncio.run(migrate(config.database_url or config.database))
            print(f"applied: {', '.join(applied)}" if applied else "the database is up to date")
            return 0
        if command == "backup":
            return _backup(config, args.path)
        if command == "members":
            _quiet_pipe()
            return _import_members(config, args.file, args.codes, args.replace)
        if command == "console" or (config.telegram is None and config.matrix is None):
            return _console(config, asked=command == "console")
        return asyncio.run(_run_platforms(config))
    except StartError as e:
        print(f"quorum: {e}", file=sys.stderr)
        return 1
    except ConfigError as e:  # found while the bot is built (bot.language names no catalogue, say)
        print(f"quorum: configuration error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _console(config: Config, asked: bool) -> int:
    """The console chat. Fed nothing from a pipe or a file, it says so: run by a service manager
    with no platform configured (a token left unset, say), ``quorum`` must not look like a
    bot that started and stopped well."""
    import asyncio

    from adapters.console import run_console
    from bot.kernel.errors import StartError

    lines = asyncio.run(run_console(config))
    if lines or sys.stdin.isatty():
        return 0
    if asked:
        print("quorum: the console read nothing from its input, so it had nothing to do.", file=sys.stderr)
        return 0
    raise StartError("No platform is configured (set [telegram] or [matrix] in quorum.toml, or their "
                     "QUORUM_… variables) and the console read nothing from its input, so there was nothing to run.")


def _backup(config: Config, path: Path) -> int:
    from bot.kernel.errors import StartError
    from bot.storage.backup import backup

    if config.database_url:
        raise StartError("quorum backup copies a SQLite database; back up a PostgreSQL database with the "
                         "server's own tools (pg_dump, or base backups with WAL archiving).")
    report = backup(config.database, path)
    print(f"backed up {config.database} to {report.path} ({report.size // 1024} KiB, integrity checked)")
    if config.secret:
        where = "the secret in the configuration (bot.secret or QUORUM_SECRET)"
    else:
        where = f"the key file {config.database}.key"
    print(f"Not in the backup: {where}. Keep a copy of it apart from the backups (with it, a copy of the "
          "database links secret ballots to voters); a restored bot needs it to recognise who has voted "
          "in secret ballots still open.", file=sys.stderr)
    return 0


def _codes_refused(codes: Path) -> str | None:
    """Why the join codes cannot be written to CODES, or None. Checked before the import: the
    codes of new members are shown once, so an import whose codes were lost cannot be rerun."""
    import os

    folder = codes.absolute().parent
    if codes.is_dir():
        return f"{codes} is a folder: give --codes a file name, such as {codes / 'codes.csv'}"
    if not folder.is_dir():
        return f"the folder {folder} does not exist: create it, or give --codes a file in a folder that does"
    if not os.access(folder, os.W_OK) or (codes.exists() and not os.access(codes, os.W_OK)):
        return f"{codes} cannot be written by this user: give --codes a file in a folder you may write"
    return None


def _import_members(config: Config, file: Path, codes: Path | None, replace: bool) -> int:
    from bot.features.roll.parse import RollError, parse_roll_csv

    refused = _codes_refused(codes) if codes else None
    if refused:
        print(f"quorum: {refused}; nothing was imported.", file=sys.stderr)
        return 2
    try:
        entries = parse_roll_csv(file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        print(f"quorum: {file} not found", file=sys.stderr)
        return 2
    except IsADirectoryError:
        print(f"quorum: {file} is a folder: give the roll's CSV file", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"quorum: cannot read {file}: {e.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"quorum: {file}: not UTF-8 text; save the roll as CSV in UTF-8", file=sys.stderr)
        return 2
    except RollError as e:
        print(f"quorum: {file}: {e}", file=sys.stderr)
        return 2
    import asyncio

    from bot.app.bootstrap import import_roll
    from bot.features.roll.render import import_summary

    try:
        result = asyncio.run(import_roll(config, entries, replace))
    except RollError as e:  # rows that would be one member with the roll as it is: nothing written
        print(f"quorum: {file}: {e}", file=sys.stderr)
        return 2
    import csv

    try:
        # The members are in the roll now; what fails from here is only the writing of their
        # codes, and the same import again writes them (it keeps every member's code).
        with codes.open("w", newline="", encoding="utf-8") if codes else nullcontext(sys.stdout) as out:
            writer = csv.writer(out)
            writer.writerow(["number", "name", "branch", "join_code"])
            writer.writerows(result.rows)
            out.flush()
    except OSError as e:
        print(f"quorum: the members were imported, but their join codes could not be written to "
              f"{codes or 'the output'} ({e.strerror}): run the same import again, with --codes naming a file "
              "where there is room, to write every code.", file=sys.stderr)
        return 1
    print(import_summary(result), file=sys.stderr)
    return 0


async def _run_platforms(config: Config) -> int:
    """Run every configured platform adapter on one core until interrupted."""
    import asyncio

    from bot.app.bootstrap import bootstrap
    from bot.app.runtime import tune_for_serving
    from bot.kernel.clock import Clock
    from bot.kernel.errors import StartError

    core = await bootstrap(config, Clock())
    runners = []
    web = None
    try:
        if config.telegram is not None:
            from adapters.telegram import TelegramAdapter

            runners.append(TelegramAdapter(config.telegram, core))
        if config.matrix is not None:
            from adapters.matrix import MatrixAdapter

            runners.append(MatrixAdapter(config.matrix, core))
        for r in runners:
            core.transports.add(r.transport)
        await core.start()
        if config.web is not None:
            from adapters.web import WebServer

            web = WebServer(config.web, core)
            try:
                await web.start()
            except OSError as e:
                raise StartError(f"The web pages cannot listen on {config.web.host}:{config.web.port} "
                                 f"({e.strerror}): set web.listen to a free address.") from None
    except BaseException:
        await core.stop()  # what was opened is closed, so the process ends
        raise
    tune_for_serving()
    # SIGTERM (a service manager stopping the bot) and Ctrl-C stop the scheduler and the outbox
    # first, while the adapters are still connected (the messages under way are taken and marked,
    # so none is sent again after the restart), then the adapters, then the rest of the core, so
    # the database is closed cleanly.
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    tasks = [asyncio.create_task(r.run()) for r in runners]
    watch = asyncio.create_task(_watch_connections(runners))
    started = False
    try:
        waiter = asyncio.create_task(stopping.wait())
        # "Started" once the adapters have run a while without failing: a start that fails (a
        # wrong token, say) says only why, in one sentence.
        done, _ = await asyncio.wait([*tasks, waiter], timeout=STARTED_AFTER, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            started = True
            platforms = ", ".join(type(r).__name__.removesuffix("Adapter") for r in runners)
            log.info("quorum %s started: %s%s", __version__, platforms,
                     f"; web pages on port {web.port}" if web is not None else "")
            await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        try:
            await core.stop_sending()
        finally:
            for task in tasks:
                task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        watch.cancel()
        if web is not None:
            await web.stop()
        await core.stop()
        if started:
            log.info("quorum stopped")
    if stopping.is_set():
        return 0
    # An adapter ended on its own: the bot is not serving that platform, so say why and exit
    # non-zero (a supervisor restarts it, or shows the sentence to whoever runs it).
    for runner, result in zip(runners, results, strict=True):
        if isinstance(result, StartError):
            raise result
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            raise StartError(f"The {type(runner).__name__.removesuffix('Adapter')} adapter stopped: {result!r}")
    raise StartError("The platform adapters stopped on their own; see the log above.")


if __name__ == "__main__":
    sys.exit(main())
