"""Builds on Spark: the map step of a build (lib.store.spill.map_runs) on PySpark's workers.

``python -m lib build --engine spark [--master URL]``: each part of the store's table is mapped on
a worker (``map_chunk`` of lib.search.index and lib.trends.terms, one task per part) and the runs
come back to this process, which reduces them in row order as an in-process build does, so the
artifacts are the same.  The workers read the parts by path (the data directory must be on storage
every worker sees) and import this project's ``lib`` from a zip sent with the job (they need its
requirements).  pyspark is an optional extra (requirements-spark.txt) and needs a JDK >= 17;
nothing else imports this module.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from lib.errors import PapersError
from lib.store.spill import Chunk, MapFn, default_memory, from_bytes, read_chunk, to_bytes

LOCAL_MASTER = "local[2]"
JAVA_MIN = 17
INSTALL_PYSPARK = "pip install -r requirements-spark.txt"
INSTALL_JAVA = "install a JDK 17 or newer (e.g. apt-get install default-jdk-headless) or set JAVA_HOME"
RUN_BYTES_PER_ROW = 4096  # a run's bytes per row until one is seen (arXiv: ~4 KB for the search index, ~3 KB for terms)
_MASTER = re.compile(r"local(\[(\d+|\*)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|yarn|(spark|k8s|mesos)://\S+")
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
logger.spark.name = org.apache.spark
logger.spark.level = error
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n
"""


def java_version(java: str) -> int | None:
    """The major version of the ``java`` executable (``1.8`` -> 8), None when it does not run."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_requirements() -> None:
    """A PapersError saying what to install when pyspark or a JDK >= 17 is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise PapersError(f"--engine spark needs pyspark: {INSTALL_PYSPARK}") from None
    home = os.environ.get("JAVA_HOME", "").strip()
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    version = java_version(java) if java else None
    if version is None:
        where = f" (JAVA_HOME={home} has no working bin/java)" if home else ""
        raise PapersError(f"--engine spark needs Java{where}: {INSTALL_JAVA}")
    if version < JAVA_MIN:
        raise PapersError(f"--engine spark needs Java {JAVA_MIN} or newer, {java} is Java {version}: {INSTALL_JAVA}")


def _zip_lib(directory: Path) -> Path:
    """This project's ``lib`` package (its .py files) as a zip the workers import it from."""
    package = Path(__file__).resolve().parent
    path = directory / "lib.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(package.rglob("*.py")):
            archive.write(file, str(Path("lib") / file.relative_to(package)))
    return path


def _map_part(fn: MapFn, chunks: Iterable[Chunk]) -> Iterator[tuple[str, bytes]]:
    """On a worker: each chunk's run as bytes, or a PapersError's message (typed errors reach the
    user as one line)."""
    for chunk in chunks:
        try:
            yield "", to_bytes(fn(read_chunk(chunk)))
        except FileNotFoundError:
            yield (
                f"{chunk.parquet}: no such file on a Spark worker (the workers read the table's parts by "
                "path: the data directory must be on storage every worker sees, unchanged during the build)",
                b"",
            )
        except PapersError as exc:
            yield str(exc), b""


class SparkEngine:
    """lib.store.spill.Engine on a SparkContext: one task per part, in waves of as many tasks as
    the cluster runs at once and as many runs as ``held`` bytes take on this process."""

    def __init__(self, context: Any, held: int) -> None:
        self.context, self.held = context, held

    def map(self, chunks: list[Chunk], fn: MapFn) -> Iterator[dict[str, np.ndarray]]:
        """``fn(read_chunk(chunk))`` for each chunk, in the chunks' order."""
        if not chunks:
            return
        rdd = self.context.parallelize(chunks, len(chunks))
        task = functools.partial(_map_part, fn)
        parallel = max(1, int(self.context.defaultParallelism))
        rows = max(chunk.rows for chunk in chunks)
        per_row, start = RUN_BYTES_PER_ROW, 0
        while start < len(chunks):
            width = min(parallel, max(1, self.held // max(1, rows * per_row)))
            wave = list(range(start, min(start + width, len(chunks))))
            results, seen = self._run(rdd, task, wave), 0
            for i, (error, data) in zip(wave, results, strict=True):
                if error:
                    raise PapersError(error)
                seen = max(seen, -(-len(data) // max(1, chunks[i].rows)))
                yield from_bytes(data)
            per_row, start = seen or per_row, start + len(wave)

    def _run(self, rdd: Any, task: Any, partitions: list[int]) -> list[tuple[str, bytes]]:
        from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]

        try:
            return list(self.context.runJob(rdd, task, partitions))
        except Py4JJavaError as exc:  # a task failed on a worker
            missing = re.search(r"(?:ModuleNotFoundError|ImportError): ([^\n]+)", str(exc))
            if missing:
                raise PapersError(
                    f"Spark's workers cannot import what a build needs ({missing.group(1).strip()}): "
                    "install this project's requirements on them (pip install -r requirements.txt)"
                ) from None
            raise


@contextmanager
def spark_engine(master: str | None = None, memory: int | None = None) -> Iterator[SparkEngine]:
    """A SparkContext on ``master`` (default ``local[2]``: two worker processes on this machine)
    for the builds within, stopped at the end.  ``memory`` (the build's budget, bytes) sizes the
    runs held here at once (a quarter of it) and the driver's JVM, through which they pass."""
    check_requirements()
    master = (master or LOCAL_MASTER).strip()
    if not _MASTER.fullmatch(master):
        raise PapersError(
            f"--master {master!r}: a Spark master URL, e.g. local[2], local[*], spark://HOST:7077, yarn or k8s://URL"
        )
    from py4j.protocol import Py4JError
    from pyspark import SparkConf, SparkContext
    from pyspark.errors import PySparkException

    held = (default_memory() if memory is None else memory) // 4
    with tempfile.TemporaryDirectory(prefix="papers-spark-") as directory:
        log4j = Path(directory) / "log4j2.properties"
        log4j.write_text(_LOG4J, encoding="utf-8")
        conf = (
            SparkConf()
            .setMaster(master)
            .setAppName("papers-build")
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")
            # the driver's JVM (in local mode the workers' too) holds a wave's runs two or three
            # times over as it serializes them (at a 2G budget, 1 GB ran out on the real 75k)
            .set("spark.driver.memory", f"{max(2**11, 2**9 + 4 * held // 2**20)}m")
            .set("spark.driver.maxResultSize", f"{max(2**10, 2 * held // 2**20)}m")
            .set("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
        )
        ours = master.startswith("local") and not os.environ.get("PYSPARK_PYTHON")
        if ours:
            os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers: this interpreter (read at start)
        try:
            with warnings.catch_warnings():  # pyspark's pandas support (unused here) warns of pandas 3
                warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
                context = SparkContext(conf=conf)
        except (PySparkException, Py4JError) as exc:  # the JVM did not start, or the master refused
            raise PapersError(f"Spark did not start on {master}: {str(exc).splitlines()[0]}") from None
        finally:
            if ours:
                os.environ.pop("PYSPARK_PYTHON", None)
        try:
            context.setLogLevel("ERROR")
            context.addPyFile(str(_zip_lib(Path(directory))))
            yield SparkEngine(context, held)
        finally:
            context.stop()
