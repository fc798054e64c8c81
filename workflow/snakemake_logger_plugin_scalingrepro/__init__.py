"""Snakemake logger plugin `scalingrepro`: the console of a run shows progress and warnings, and
Snakemake's log file (.snakemake/log/) keeps everything (`logger: [scalingrepro]` in
profiles/default/config.yaml). What is shown is decided by scalingrepro.pipeline.console; the
lines themselves are Snakemake's own handler and formatter, so errors read as usual.

Setting: `--logger-scalingrepro-progress-interval SECONDS` (default 60)."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.settings import LogHandlerSettingsBase

from scalingrepro.pipeline.console import AS_SNAKEMAKE, PROGRESS_INTERVAL_SECONDS, RunConsole


@dataclass
class LogHandlerSettings(LogHandlerSettingsBase):
    progress_interval: float = field(
        default=PROGRESS_INTERVAL_SECONDS,
        metadata={"help": "seconds between two progress lines on the console", "type": float},
    )


class LogHandler(LogHandlerBase):
    def __post_init__(self) -> None:
        # Snakemake's own filter (--quiet, --printshellcmds, ...) and console formatting.
        from snakemake.logging import ColorizingTextHandler, DefaultFilter, DefaultFormatter, is_quiet_about  # noqa: PLC0415

        output = self.common_settings
        quiet = output.quiet or set()
        self.snakemake_filter = DefaultFilter(quiet, output.debug_dag, output.verbose, output.dryrun, output.printshellcmds)
        self.stream = ColorizingTextHandler(
            nocolor=output.nocolor,
            stream=sys.stdout if output.stdout else sys.stderr,
            formatter=DefaultFormatter(quiet, output.show_failed_logs),
        )
        interval = self.settings.progress_interval if self.settings is not None and self.settings.progress_interval is not None else PROGRESS_INTERVAL_SECONDS
        self.console = RunConsole(
            everything=bool(output.dryrun or output.verbose or output.debug_dag),
            reasons_hidden=is_quiet_about(quiet, "reason"),
            progress_interval=float(interval),
        )

    def emit(self, record: logging.LogRecord) -> None:
        if not self.snakemake_filter.filter(record):
            return
        shown = self.console.select(record)
        if shown is None:
            return
        self.stream.handle(record if shown is AS_SNAKEMAKE else shown)

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False
