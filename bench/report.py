"""Turns bench/run.sh's measurements into BENCHMARKS.md (printed to standard output).

Usage: report.py RESULTS.tsv VERSIONS.txt RUNS PEER_RUNS
RESULTS rows: label, wall seconds, CPU seconds, peak RSS KiB (one row per run), plus
"facts-SIZE, entities, pages" rows.
"""

import statistics
import sys
from collections import defaultdict

results_path, versions_path, runs, peer_runs = sys.argv[1:5]

runs_by_label = defaultdict(list)
facts = {}
index_sizes = {}  # size -> (search bytes, html pages)
rendered_pages = defaultdict(list)  # incremental label -> pages rendered per run
probes = defaultdict(list)  # size -> [(query, bytes, files, first ms, median ms, max ms)]
reloads = defaultdict(list)  # size -> [(what, median ms, min ms, max ms, edits, startup s)]
diagram_rows = []  # Markdown table rows of examples/diagram-bench
with open(results_path) as results:
    for line in results:
        fields = line.rstrip("\n").split("\t")
        if fields[0] == "mermaid":
            diagram_rows.append(fields[1])
        elif fields[0].startswith("facts-"):
            facts[fields[0][6:]] = (int(fields[1] or 0), int(fields[2] or 0))
        elif fields[0].startswith("index-"):
            index_sizes[fields[0][6:]] = (int(fields[1]), int(fields[2]))
        elif fields[0].startswith("rendered-"):
            rendered_pages[fields[0][9:]].append(int(fields[1]))
        elif fields[0].startswith("reload-"):
            reloads[fields[0][7:]].append(
                (fields[1], *(float(x) for x in fields[2:5]), int(fields[5]), float(fields[6]))
            )
        elif fields[0].startswith("search-"):
            probes[fields[0][7:]].append(
                (fields[1], int(fields[2]), int(fields[3]), *(float(x) for x in fields[4:7]))
            )
        else:
            runs_by_label[fields[0]].append(tuple(float(x) for x in fields[1:4]))

versions = {}
with open(versions_path) as lines:
    for line in lines:
        key, _, value = line.rstrip("\n").partition("|")
        versions[key] = value


def median(label):
    """(wall, cpu, rss MiB) medians of a label's runs, or None."""
    rows = runs_by_label.get(label)
    if not rows:
        return None
    return (
        statistics.median(r[0] for r in rows),
        statistics.median(r[1] for r in rows),
        statistics.median(r[2] for r in rows) / 1024,
    )


def spread(label):
    """"min–max" of a label's wall times: this machine is noisy, and file creation on ext4
    depends on what was deleted shortly before."""
    rows = runs_by_label.get(label)
    if not rows or len(rows) < 2:
        return ""
    walls = [r[0] for r in rows]
    digits = 2 if max(walls) < 10 else 1
    return f" ({min(walls):.{digits}f}–{max(walls):.{digits}f})"


def seconds(value):
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


SIZES = [
    ("small", "example-org"),
    ("medium", "1,000 entities / 2,000 pages"),
    ("large", "10,000 entities / 20,000 pages"),
    ("single", "one docs site, 2,000 pages"),
]

out = []
out.append("# Benchmarks\n")
out.append(
    "Measured by `bench/run.sh` (see README, *Benchmarks*); regenerate this file whenever "
    "performance changes. Every figure is the median of the runs on this machine, measured in "
    "the same run for greenroom and its peers. Wall time, CPU time (user + system) and peak "
    "resident memory come from GNU `time`. Each build starts after a `sync` and writes to a "
    "fresh output folder, and nothing is deleted until every cold build is measured: on this "
    "ext4 (no journal) the allocator passes over inodes freed in the last 60 to 360 s, and "
    "creating tens of thousands of files right after others were deleted costs several seconds "
    "of system time. Incremental builds run last; their swap deletes the previous site, so "
    "they may include some of that cost.\n"
)
out.append("## Machine and versions\n")
for key in ["machine", "greenroom", "rustc", "hugo", "mdbook", "mkdocs", "mkdocs-techdocs-core"]:
    if key in versions:
        out.append(f"- **{key}**: {versions[key]}")
out.append(f"- **runs**: greenroom {runs} per figure, peers {peer_runs}\n")

out.append("## greenroom by size\n")
out.append("| size | entities | doc pages | `build` wall (min–max) | CPU | peak RSS | per page | `check` wall |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for size, description in SIZES:
    build = median(f"greenroom-build-{size}")
    check = median(f"greenroom-check-{size}")
    if not build:
        continue
    entities, pages = facts.get(size, (0, 0))
    per_page = f"{build[0] / pages * 1000:.2f} ms" if pages else "–"
    out.append(
        f"| {size} ({description}) | {entities:,} | {pages:,} | {seconds(build[0])}{spread(f'greenroom-build-{size}')} | "
        f"{seconds(build[1])} | {build[2]:.0f} MiB | {per_page} | "
        f"{seconds(check[0]) if check else '–'} |"
    )
out.append("")
medium, large = median("greenroom-build-medium"), median("greenroom-build-large")
if medium and large:
    out.append(
        f"\nScaling: the large org takes {large[0] / medium[0]:.1f}× the medium org's time "
        f"for 10× the input (target ≤ 11×).\n"
    )

single = median("greenroom-build-single")
peers = [
    ("hugo-single", "Hugo"),
    ("mdbook-single", "mdBook"),
    ("mkdocs-single", "MkDocs"),
    ("mkdocs-techdocs-single", "MkDocs + techdocs-core (what Backstage TechDocs runs)"),
]
if single and any(median(label) for label, _ in peers):
    pages = facts.get("single", (0, 2000))[1] or 2000
    out.append("## Against the peers: the same 2,000 pages as one docs site\n")
    out.append(
        "50 folders, one code block and one table per page, about 4 KB each; every tool gets "
        "the same Markdown in its own input layout (written by `gen-org --single-site`).\n"
    )
    out.append("| tool | wall (min–max) | CPU | peak RSS | per page | greenroom is faster by |")
    out.append("|---|---:|---:|---:|---:|---:|")
    out.append(
        f"| greenroom | {seconds(single[0])}{spread('greenroom-build-single')} | {seconds(single[1])} | {single[2]:.0f} MiB | "
        f"{single[0] / pages * 1000:.2f} ms | – |"
    )
    for label, name in peers:
        peer = median(label)
        if peer:
            out.append(
                f"| {name} | {seconds(peer[0])}{spread(label)} | {seconds(peer[1])} | {peer[2]:.0f} MiB | "
                f"{peer[0] / pages * 1000:.2f} ms | {peer[0] / single[0]:.1f}× |"
            )
    out.append("")

if probes:
    out.append("## Search\n")
    out.append(
        "Index size on disk, and for each query typed into the header box of the home page in "
        "headless Chromium (cache off, served from localhost): the index bytes downloaded until "
        "its results showed, and the time from a keystroke to its results on screen. The first "
        "keystroke loads term shards; later ones mostly reuse them.\n"
    )
    out.append("| size | index | per page | query | first-query download | files | first keystroke | later keystrokes (median / max) |")
    out.append("|---|---:|---:|---|---:|---:|---:|---:|")
    for size, _ in SIZES:
        total, html = index_sizes.get(size, (0, 0))
        for query, size_bytes, files, first, med, worst in probes.get(size, []):
            per_page = f"{total / html / 1024:.1f} KiB" if html else "–"
            out.append(
                f"| {size} | {total / 1048576:.1f} MiB | {per_page} | {query} | {size_bytes / 1024:.0f} KiB | "
                f"{files} | {first:.0f} ms | {med:.1f} / {worst:.0f} ms |"
            )
    out.append("")

out.append("## Graphs\n")
out.append(
    "Graphs are drawn inside the site-model stage, per entity page in parallel, so `--timings` "
    "does not show them apart. Their share comes from a profile of the large build "
    "(`perf record --call-graph dwarf` on tmpfs, at 715d3bd): about 3% of CPU samples in "
    "`site::graphs` and `graph` together, 0.45 s of CPU (neighbourhoods 2.7%; system, domain "
    "and group diagrams, ownership and org charts 0.5%); "
    "`cargo run --release --example graph-bench` times the engine alone (a 200-node graph: "
    "about 2 ms to lay out, 4 ms with SVG).\n"
)
if diagram_rows:
    out.append("## Mermaid diagrams\n")
    out.append(
        "Each ```` ```mermaid ```` block is drawn while its docs page is rendered "
        "(`docs::mermaid::draw`: the mermaid-svg renderer on a thread of its own, the SVG "
        "allow-list, the figure), 20 runs each (`cargo run --release --example diagram-bench`). "
        "Budget per diagram: 32 KiB and 600 lines of source, 3 s, 2 MiB of SVG; a diagram over "
        "it is shown as source with a warning.\n"
    )
    out.append("| diagram | source lines | median | slowest | SVG |")
    out.append("|---|---:|---:|---:|---:|")
    out.extend(diagram_rows)
    out.append("")
apis, apis_base = median("greenroom-build-apis"), median("greenroom-build-apis-base")
if apis and apis_base:
    operations = 1000 * 48
    out.append("## API references\n")
    out.append(
        "The large org (10,000 entities, 20,000 docs pages) with 1,000 of its APIs carrying "
        "OpenAPI 3.0 definitions of 50 operations each (about 39 KB: tags, parameters, request "
        "bodies, responses and `$ref`s to shared schemas; `gen-org --apis 1000 --operations 50`), "
        "against the same org whose 1,000 APIs have 2-operation definitions. The difference is "
        "what 48,000 more operations cost: reading them, their reference pages and their "
        "search documents.\n"
    )
    out.append("| org | `build` wall (min–max) | CPU | peak RSS |")
    out.append("|---|---:|---:|---:|")
    for label, name in (("apis-base", "1,000 APIs × 2 operations"), ("apis", "1,000 APIs × 50 operations")):
        row = median(f"greenroom-build-{label}")
        out.append(
            f"| {name} | {seconds(row[0])}{spread(f'greenroom-build-{label}')} | {seconds(row[1])} | {row[2]:.0f} MiB |"
        )
    added_wall = apis[0] - apis_base[0]
    added_cpu = apis[1] - apis_base[1]
    out.append(
        f"\nAdded: {added_wall:+.2f} s wall ({added_wall / apis_base[0] * 100:+.1f}%, goal < 10%), "
        f"{added_cpu:+.2f} s CPU, {added_cpu / operations * 1e6:.0f} µs of CPU per operation "
        f"(goal < 1 ms).\n"
    )
incremental = [(size, median(f"greenroom-build-{size}"), median(f"greenroom-unchanged-{size}"),
                median(f"greenroom-3repos-{size}")) for size in ("medium", "large")]
if any(row[2] for row in incremental):
    out.append("## Incremental builds (build cache)\n")
    out.append(
        "A build into the previous site, as a scheduled CI run with `.greenroom-cache/` and "
        "`site/` restored: pages whose inputs are unchanged are not rendered, unchanged files "
        "are hard-linked from the previous site, unchanged code is not highlighted again. "
        "*3 repositories*: a description and one docs page edited in each of 3 repositories "
        "(different ones every run). Full builds above are cold (`--clean`, no memo). The two "
        "are not measured alike: a cold build writes into a fresh folder with nothing deleted "
        "before it, while each incremental run follows the previous run's swap, which deleted "
        "a whole site; on this ext4 that costs it time a restored CI cache would not (see the "
        "note at the top), and on the medium org it takes back everything the "
        "cache saves.\n"
    )
    out.append("| size | full (cold) | nothing changed | 3 repositories changed | pages rendered | speed-up |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for size, full, unchanged, three in incremental:
        if not (full and unchanged and three):
            continue
        rendered = rendered_pages.get(f"greenroom-3repos-{size}") or [0]
        out.append(
            f"| {size} | {seconds(full[0])} | {seconds(unchanged[0])} | {seconds(three[0])} | "
            f"{statistics.median(rendered):.0f} | {full[0] / three[0]:.1f}× |"
        )
    out.append("")
if reloads:
    out.append("## Edit to reload (`serve`)\n")
    out.append(
        "`examples/reload-probe.rs` starts `greenroom serve --port 0` on the org, listens to its "
        "event stream like an open tab, and times each edit from the file write to the `reload` "
        "event (which includes the 60 ms quiet window that merges an editor's burst of writes). "
        "*docs*: a line appended to one Markdown page; *descriptor*: one entity's description "
        "changed. Edits are 0.7 s apart; the files are restored afterwards. On a big portal the "
        "search index and the catalog pages beyond the edited entity's neighbourhood are brought "
        "up to date on a background thread after the reload (a few seconds later); on a small "
        "one everything is rebuilt before the reload.\n"
    )
    out.append("| size | edit | median | min–max | edits | first build (serve start) |")
    out.append("|---|---|---:|---:|---:|---:|")
    for size, _ in SIZES:
        for what, med, low, high, edits, startup in reloads.get(size, []):
            out.append(
                f"| {size} | {what} | {med:.0f} ms | {low:.0f}–{high:.0f} ms | {edits} | {startup:.1f} s |"
            )
    out.append("")
out.append("## How to reproduce\n")
out.append("```sh\nbench/run.sh            # RUNS=3 by default; SIZES, PEER_RUNS, NO_PEERS to narrow it\n```")
print("\n".join(out))
