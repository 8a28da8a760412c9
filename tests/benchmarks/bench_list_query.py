"""``shelf list QUERY`` at scale: the saved-index query path against the full
load and against ``fzf --filter``.

Run as a script (not collected by pytest)::

    python tests/benchmarks/bench_list_query.py                   # 100k items
    python tests/benchmarks/bench_list_query.py --items 10000 --repeats 5
    python tests/benchmarks/bench_list_query.py --work /tmp/lq --json out.json

It generates a corpus with ``gen_corpus.py``, imports it with the real
``shelf import`` into a fresh data folder (reused when already there), gives a
tenth of the items annotations (tags, notes, statuses, a few renames: the
benchmark shape of the scale issue) and a second user's annotations, and runs
``shelf list`` once so the saved index exists. Then, per query, medians of
``--repeats`` runs of:

* ``inproc``: the query path inside an already started process (imports
  done), what it costs on top of starting Python;
* ``proc``: a whole process running the query path and printing ids: a
  ``python -c`` that imports only what the CLI needs for it;
* ``cli``: the whole ``shelf --data-dir D list QUERY`` as it is wired now
  (ids, then a view per row);
* ``before``: with ``--before-root OLD --before-data D2``, the same ``shelf
  list`` run from another checkout (e.g. ``git archive 731a9ec``) on a copy of
  the data folder (each version keeps its own saved index);
* ``fzf``: ``fzf --filter QUERY`` over a file of the same items' "title
  authors abstract" lines.

All figures of one run are measured in that run, interleaved query by query,
so the ratios compare like with like on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_scale import SHELF, USER, make_corpus  # noqa: E402

QUERIES = (
    "diffusion",
    "difusion",
    "scaling laws",
    "author:radford",
    "year:2020 transformer",
    "zzqxjv",
)
OTHER_USER = "bob"

#: The whole process of the new path: what ``shelf list`` needs for the ids.
PROC_SCRIPT = """
import sys
from storage.shelf import Shelf
from storage.search.saved import query_hits
shelf = Shelf(sys.argv[1], sys.argv[2])
ids = query_hits(
    shelf.dirs,
    shelf.user,
    sys.argv[3],
    annotations=shelf.all_annotations,
    others=shelf.others,
    items_loader=lambda: shelf.items(with_text=False).values(),
    texts=shelf.library.open_text_store() or shelf.library.text,
).ids
sys.stdout.write("".join(i + "\\n" for i in ids))
"""

#: ``shelf`` itself, run from another checkout (PYTHONPATH) for ``before``.
CLI_SCRIPT = "import sys; from tui.cli import entry; sys.argv[0] = 'shelf'; sys.exit(entry())"

#: The same, as the code before the saved-index path did it (Shelf.search).
OLD_PROC_SCRIPT = """
import sys
from storage.shelf import Shelf
shelf = Shelf(sys.argv[1], sys.argv[2])
sys.stdout.write("".join(i + "\\n" for i in shelf.search(sys.argv[3])))
"""


def prepare(n: int, work: Path) -> Path:
    """A data folder with ``n`` imported items, annotations and a saved index."""
    data = work / f"data-{n}"
    ready = data / ".bench-ready"
    if ready.exists():
        return data
    from storage.shelf import Shelf
    from tests.benchmarks.synthetic import synthetic_annotations
    from tests.storage_helpers import set_annotations

    imported = data / ".bench-imported"
    if not imported.exists():
        paths = make_corpus(n, work)
        shutil.rmtree(data, ignore_errors=True)
        Shelf(data, USER)
        subprocess.run(
            [str(SHELF), "--data-dir", str(data), "--user", USER, "import", *map(str, paths)],
            check=True,
            capture_output=True,
        )
        imported.write_text("")
    shelf = Shelf(data, USER)
    items = list(shelf.items(with_text=False).values())
    set_annotations(shelf, synthetic_annotations(items, 0.1, seed=1))
    shelf.flush()
    bob = Shelf(data, OTHER_USER)
    set_annotations(bob, synthetic_annotations(items, 0.02, seed=2))
    bob.flush()
    subprocess.run(
        [str(SHELF), "--data-dir", str(data), "--user", USER, "list", "warm"],
        check=True,
        capture_output=True,
    )
    ready.write_text("")
    return data


def fzf_lines(data: Path, out: Path) -> Path:
    if out.exists():
        return out
    from storage.shelf import Shelf

    shelf = Shelf(data, USER)
    with open(out, "w") as f:
        for item in shelf.items(with_text=True).values():
            line = f"{item.title} {', '.join(item.authors)} {item.summary}"
            f.write(line.replace("\n", " ") + "\n")
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(
    cmd: list[str], stdin: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, bytes, float]:
    """Wall time, output and CPU time (user + system) of one process: on a
    machine shared with other work the CPU time is the steadier figure."""
    cpu = _children_cpu()
    t0 = time.perf_counter()
    if stdin is None:
        proc = subprocess.run(cmd, capture_output=True, check=False, env=env)
    else:
        with open(stdin, "rb") as src:
            proc = subprocess.run(cmd, stdin=src, capture_output=True, check=False, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # fzf: 1 = no match
        raise RuntimeError(f"{cmd[:3]} failed: {proc.stderr.decode()[-300:]}")
    return elapsed, proc.stdout, _children_cpu() - cpu


def _inproc(data: Path, query: str, new_path: bool) -> float:
    """The query path in a process that has imported everything already."""
    from storage.shelf import Shelf

    t0 = time.perf_counter()
    shelf = Shelf(data, USER)
    if new_path:
        from storage.search.saved import query_hits

        query_hits(
            shelf.dirs,
            shelf.user,
            query,
            annotations=shelf.all_annotations,
            others=shelf.others,
            items_loader=lambda: shelf.items(with_text=False).values(),
            texts=shelf.library.open_text_store() or shelf.library.text,
        )
    else:
        shelf.search(query)
    return time.perf_counter() - t0


def measure(
    data: Path,
    lines: Path,
    repeats: int,
    with_fzf: bool,
    before: tuple[Path, Path] | None = None,
    queries: list[str] | tuple[str, ...] = QUERIES,
    with_cli: bool = True,
) -> dict[str, Any]:
    try:
        import storage.search.saved  # noqa: F401

        new_path = True
    except ImportError:  # the code before the saved-index path
        new_path = False
    script = PROC_SCRIPT if new_path else OLD_PROC_SCRIPT
    py = sys.executable
    cli = [str(SHELF), "--data-dir", str(data), "--user", USER, "list"]
    old_cli: list[str] = []
    old_env: dict[str, str] | None = None
    if before is not None:
        root, old_data = before
        # -P: no working folder first on sys.path. Run from this checkout,
        # ``python -c`` would import this code before PYTHONPATH's.
        old_cli = [py, "-P", "-c", CLI_SCRIPT, "--data-dir", str(old_data), "--user", USER, "list"]
        old_env = {**os.environ, "PYTHONPATH": str(root)}
    rows: dict[str, Any] = {}
    # A saved index from another version of the code is rebuilt by the first run.
    _timed([*cli, "warm"])
    _timed([py, "-c", script, str(data), USER, "warm"])
    if old_cli:
        _timed([*old_cli, "warm"], env=old_env)
    for query in queries:
        names = ("inproc", "proc", "cli", "before", "fzf")
        times: dict[str, list[float]] = {k: [] for k in names}
        cpus: dict[str, list[float]] = {k: [] for k in names}
        hits = None
        for _ in range(repeats):
            times["inproc"].append(_inproc(data, query, new_path))
            runs: list[tuple[str, list[str], Path | None, dict[str, str] | None]] = [
                ("proc", [py, "-c", script, str(data), USER, query], None, None),
            ]
            if with_cli:
                runs.append(("cli", [*cli, query], None, None))
            if old_cli:
                runs.append(("before", [*old_cli, query], None, old_env))
            if with_fzf:
                runs.append(("fzf", ["fzf", "--filter", query], lines, None))
            for name, cmd, stdin, env in runs:
                took, out, cpu = _timed(cmd, stdin, env)
                times[name].append(took)
                cpus[name].append(cpu)
                if name == "proc":
                    hits = len(out.splitlines())
        med = {k: statistics.median(v) * 1000 for k, v in times.items() if v}
        row: dict[str, Any] = {f"{k}_ms": round(v, 1) for k, v in med.items()}
        for k, v in cpus.items():
            if v:
                row[f"{k}_cpu_ms"] = round(statistics.median(v) * 1000, 1)
        row["hits"] = hits
        if "fzf" in med:
            row["fzf/proc"] = round(med["fzf"] / med["proc"], 1)
            if "cli" in med:
                row["fzf/cli"] = round(med["fzf"] / med["cli"], 1)
        if "before" in med:
            row["before/proc"] = round(med["before"] / med["proc"], 1)
            if "fzf" in med:
                row["fzf/before"] = round(med["fzf"] / med["before"], 1)
        rows[query] = row
        print(json.dumps({query: row}), flush=True)
    return {"new_path": new_path, "queries": rows}


def print_table(result: dict[str, Any]) -> None:
    keys = ("inproc_ms", "proc_ms", "cli_ms", "before_ms", "fzf_ms")
    cpu_keys = ("proc_cpu_ms", "cli_cpu_ms", "before_cpu_ms", "fzf_cpu_ms")
    ratios = ("fzf/proc", "before/proc", "fzf/before", "fzf/cli")
    head = ("query", "inproc ms", "proc ms", "cli ms", "before ms", "fzf ms", *ratios, "hits")
    print(" | ".join(f"{h:>22}" if i == 0 else f"{h:>11}" for i, h in enumerate(head)))
    for query, r in result["queries"].items():
        cells = [r.get(k, "-") for k in (*keys, *ratios)] + [r["hits"]]
        print(f"{query:>22} | " + " | ".join(f"{c:>11}" for c in cells))
    print("CPU (user + system) per process, ms:")
    print(
        " | ".join(f"{h:>22}" if i == 0 else f"{h:>13}" for i, h in enumerate(("query", *cpu_keys)))
    )
    for query, r in result["queries"].items():
        print(f"{query:>22} | " + " | ".join(f"{r.get(k, '-'):>13}" for k in cpu_keys))
    for key in (*keys, *cpu_keys):
        values = [r[key] for r in result["queries"].values() if key in r]
        if values:
            print(f"median over queries, {key}: {statistics.median(values):.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/shelf-bench-list"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-fzf", action="store_true")
    parser.add_argument("--no-cli", action="store_true", help="skip `shelf list` as wired now")
    parser.add_argument("--queries", nargs="+", default=list(QUERIES))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--before-root", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--before-data", type=Path, help="its own copy of the data folder")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    data = prepare(args.items, args.work)
    with_fzf = not args.no_fzf and shutil.which("fzf") is not None
    lines = fzf_lines(data, args.work / f"fzf-{args.items}.txt") if with_fzf else args.work
    load0 = os.getloadavg()[0]
    before = None
    if args.before_root is not None:
        if args.before_data is None:
            parser.error("--before-root needs --before-data (a copy of the data folder)")
        before = (args.before_root, args.before_data)
    result = measure(data, lines, args.repeats, with_fzf, before, args.queries, not args.no_cli)
    result.update(items=args.items, loadavg_before=load0, loadavg_after=os.getloadavg()[0])
    print()
    print_table(result)
    print(f"load average {load0:.1f} -> {result['loadavg_after']:.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
