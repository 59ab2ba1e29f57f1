#!/usr/bin/env bash
# The benchmark harness: builds greenroom (release), generates the synthetic organisations
# (cached), measures greenroom and its peers on the same Markdown, and writes BENCHMARKS.md.
#
#   bench/run.sh                      everything (about 25 minutes on 2 cores: the peers, and waits)
#   SIZES="small medium" bench/run.sh   only some sizes (small medium large single apis apis-base)
#   RUNS=5 PEER_RUNS=1 bench/run.sh   runs per measurement (the median is reported)
#   NO_PEERS=1 bench/run.sh           greenroom only
#   RELOAD_EDITS=7 bench/run.sh       edits per edit-to-reload measurement (small and large)
#
# Peers are installed from this machine's registries when missing: Hugo and GNU time from
# Debian, MkDocs and mkdocs-techdocs-core from PyPI (in a venv), mdBook from crates.io.
# Each cold build starts after a `sync` and writes to a fresh folder, and nothing is deleted
# until the end (see the ext4 note below); a scheduled CI build starts from an empty folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${BENCH_CACHE:-$ROOT/target/bench}
RUNS=${RUNS:-3}
PEER_RUNS=${PEER_RUNS:-$RUNS}
SIZES=${SIZES:-"small medium large single"}
OUTS=$CACHE/out
RESULTS_DIR=$CACHE/results
mkdir -p "$CACHE" "$OUTS" "$RESULTS_DIR"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# On ext4 without a journal (this machine's root, kernel 6.x), the inode allocator passes over
# inodes freed less than 60 s ago, or less than 360 s ago while their inode table block is
# dirty, looking each one up in the buffer cache (fs/ext4/ialloc.c, recently_deleted). Writing
# a site right after deleting one is then several times slower, which a CI runner starting
# from an empty folder never sees. So (almost) nothing is deleted while the cold builds are
# measured: old folders are moved into a trash folder (a rename frees no inode), emptied at
# the very end, and the incremental builds (whose swap deletes the previous site) run after
# every cold build. After a deletion the script syncs and waits 61 s; once a new inode dirties
# a block, the block's other freed inodes fall under the 360 s window again, so incremental
# figures may include some of this cost, and so may a run started within about 6 minutes of
# the previous run's end.
TRASH=$CACHE/trash
DELETED=1  # the machine may have deleted files just before the run
settle() {
    if [ "$DELETED" = 1 ]; then
        log "waiting 61 s for recently freed inodes to age (see the comment above)"
        sync
        sleep 61
        DELETED=0
    fi
}

# discard PATH: moves PATH into the trash, emptied when the run ends.
discard() {
    if [ -e "$1" ]; then
        mkdir -p "$TRASH"
        local into
        into=$(mktemp -d "$TRASH/XXXXXX")
        mv "$1" "$into/"
    fi
}

install_peers() {
    if ! [ -x /usr/bin/time ] || ! command -v hugo >/dev/null; then
        log "installing GNU time and Hugo (Debian)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time hugo >/dev/null
    fi
    if [ -z "${NO_PEERS:-}" ]; then
        if ! [ -x "$CACHE/venv/bin/mkdocs" ]; then
            log "installing MkDocs and mkdocs-techdocs-core (PyPI)"
            python3 -m venv "$CACHE/venv"
            "$CACHE/venv/bin/pip" install -q mkdocs mkdocs-techdocs-core
        fi
        if ! [ -x "$CACHE/tools/bin/mdbook" ]; then
            log "installing mdBook (crates.io)"
            cargo install -q mdbook --locked --root "$CACHE/tools"
        fi
    fi
}

# generate NAME ARGS...: a synthetic org in $CACHE/orgs/NAME, regenerated when ARGS change.
generate() {
    local name=$1
    shift
    # The generator's output version comes first: bump it when the generator changes.
    local dir=$CACHE/orgs/$name stamp="v2 $*"
    if [ -f "$dir/.generated" ] && [ "$(cat "$dir/.generated")" = "$stamp" ]; then
        return
    fi
    log "generating $name ($stamp)"
    discard "$dir"
    "$ROOT/target/release/examples/gen-org" "$@" "$dir" >/dev/null
    echo "$stamp" >"$dir/.generated"
}

# measure LABEL RUNS COMMAND...: runs COMMAND (where {out} is a fresh output folder) RUNS
# times and appends "label wall cpu rss_kib" per run to the results.
measure() {
    local label=$1 runs=$2
    shift 2
    local i
    for ((i = 1; i <= runs; i++)); do
        local out="$OUTS/$label-$i"
        discard "$out"
        # A cold run: no highlight memo from an earlier build of this org.
        [ -n "${COLD:-}" ] && rm -f "$COLD/.greenroom-cache/highlight.memo"
        settle
        # Flush what earlier steps wrote, so no run pays for the previous one's writeback.
        sync
        local args=()
        local a
        for a in "$@"; do args+=("${a//\{out\}/$out}"); done
        local stats
        stats=$(mktemp)
        if ! /usr/bin/time -f "%e %U %S %M" -o "$stats" "${args[@]}" >"$CACHE/last.log" 2>&1; then
            log "FAILED: $label (see $CACHE/last.log)"
            tail -n 20 "$CACHE/last.log" >&2
            rm -f "$stats"
            return 1
        fi
        read -r wall user sys rss <"$stats"
        rm -f "$stats"
        printf '%s\t%s\t%s\t%s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$rss" >>"$RESULTS"
        log "$label run $i: ${wall}s wall, ${rss} KiB peak"
    done
}

install_peers
command -v bc >/dev/null || { apt-get install -y -qq bc >/dev/null; }
log "building greenroom (release)"
cargo build -q --release --locked --bin greenroom --example gen-org --example search-probe --example reload-probe --example diagram-bench
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
GREENROOM=$ROOT/target/release/greenroom

# The trash of an interrupted run is emptied at the end, with this run's.
discard "$OUTS"
mkdir -p "$OUTS"

# Phase 1, nothing deleted: cold builds, check and the peers.
for size in $SIZES; do
    case $size in
    small)
        discard "$CACHE/orgs/small"
        mkdir -p "$CACHE/orgs"
        cp -r example-org "$CACHE/orgs/small"
        discard "$CACHE/orgs/small/site"
        ;;
    medium) generate medium --repos 100 --entities 1000 --pages 2000 --seed 1 ;;
    large) generate large --repos 1000 --entities 10000 --pages 20000 --seed 1 ;;
    single) generate single --repos 1 --entities 50 --pages 2000 --single-site --seed 1 ;;
    # The API reference benchmark: the large org with 1,000 of its APIs carrying definitions of
    # 50 operations, against the same org with 2-operation definitions.
    apis) generate apis --repos 1000 --entities 10000 --pages 20000 --seed 1 --apis 1000 --operations 50 ;;
    apis-base) generate apis-base --repos 1000 --entities 10000 --pages 20000 --seed 1 --apis 1000 --operations 2 ;;
    *) log "unknown size $size" && exit 2 ;;
    esac
    org=$CACHE/orgs/$size
    # One results file per size, so re-measuring one size keeps the others' figures.
    RESULTS=$RESULTS_DIR/$size.tsv
    : >"$RESULTS"
    COLD=$org measure "greenroom-build-$size" "$RUNS" "$GREENROOM" build "$org" --out "{out}" --clean
    COLD=$org measure "greenroom-check-$size" "$RUNS" "$GREENROOM" check "$org"
    if [ "$size" = single ] && [ -z "${NO_PEERS:-}" ]; then
        peers=$org/peers
        measure "hugo-single" "$PEER_RUNS" hugo --quiet -s "$peers/hugo" -d "{out}"
        measure "mdbook-single" "$PEER_RUNS" "$CACHE/tools/bin/mdbook" build "$peers/mdbook" -d "{out}"
        measure "mkdocs-single" "$PEER_RUNS" "$CACHE/venv/bin/mkdocs" build -q -f "$peers/mkdocs/mkdocs.yml" -d "{out}"
        measure "mkdocs-techdocs-single" "$PEER_RUNS" "$CACHE/venv/bin/mkdocs" build -q -f "$peers/mkdocs-techdocs/mkdocs.yml" -d "{out}"
    fi
done

# Phase 2: the search index (its browser profile is a temporary folder), incremental builds
# (their swap deletes the previous site) and edit to reload.
for size in $SIZES; do
    org=$CACHE/orgs/$size
    RESULTS=$RESULTS_DIR/$size.tsv
    # Search, on the last build's output: index size, and in Chromium the bytes a first query
    # downloads and the time per keystroke.
    site=$OUTS/greenroom-build-$size-$RUNS
    if [ "$size" != single ] && [ -d "$site/search" ]; then
        printf 'index-%s\t%s\t%s\n' "$size" "$(du -sb "$site/search" | cut -f1)" \
            "$(find "$site" -name '*.html' | wc -l)" >>"$RESULTS"
        "$ROOT/target/release/examples/search-probe" "$site" payments deploy "kafka consumer lag" rollback |
            sed "s/^/search-$size\t/" >>"$RESULTS"
        log "search measured on $size"
    fi
    # Incremental builds into the previous site, as a scheduled CI run with its cache restored:
    # nothing changed, then 3 repositories changed (a description and a docs page in each).
    if [ "$size" = medium ] || [ "$size" = large ]; then
        work=$CACHE/work/$size
        discard "$work"
        mkdir -p "$CACHE/work"
        cp -r "$org" "$work"
        site=$OUTS/incremental-$size
        "$GREENROOM" build "$work" --out "$site" >/dev/null
        incremental() { # LABEL EDITS...
            local label=$1 i
            shift
            for ((i = 1; i <= RUNS; i++)); do
                local repo
                for repo in "$@"; do
                    repo=$(printf '%s/repos/repo-%04d' "$work" $((repo + i * 10)))
                    sed -i "0,/description: /s//description: Edited in run $i. /" "$repo/catalog-info.yaml"
                    page=$(find "$repo" -path '*/docs/*' -name '*.md' | sort | head -n 1)
                    [ -n "$page" ] && echo "Edited in run $i." >>"$page"
                done
                # The previous build's swap removed the site before it: wait out the inode
                # window, as a CI runner restoring its cache would not have it.
                settle
                sync
                local stats
                stats=$(mktemp)
                /usr/bin/time -f "%e %U %S %M" -o "$stats" "$GREENROOM" build "$work" --out "$site" >"$CACHE/last.log" 2>&1
                DELETED=1
                read -r wall user sys rss <"$stats"
                rm -f "$stats"
                printf '%s\t%s\t%s\t%s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$rss" >>"$RESULTS"
                log "$label run $i: ${wall}s wall ($(sed -n 's/.*(\(.*\)).*/\1/p' "$CACHE/last.log"))"
                sed -n 's/.*(\([0-9]*\) pages rendered.*/\1/p' "$CACHE/last.log" |
                    sed "s/^/rendered-$label\t/" >>"$RESULTS"
            done
        }
        incremental "greenroom-unchanged-$size"
        incremental "greenroom-3repos-$size" 1 2 3
    fi
    # Edit to reload: serve the org, edit a docs page and a descriptor, time the reload event.
    # The probe restores the files it edits.
    if [ "$size" = small ] || [ "$size" = large ]; then
        "$ROOT/target/release/examples/reload-probe" "$GREENROOM" "$org" "${RELOAD_EDITS:-7}" |
            sed "s/^/reload-$size\t/" >>"$RESULTS"
        log "edit-to-reload measured on $size"
    fi
done

# Mermaid diagrams: the cost of drawing one, per kind (no peers: in Backstage the browser
# draws them with mermaid.js at view time).
"$ROOT/target/release/examples/diagram-bench" | grep '^| ' | sed 1,2d | sed 's/^/mermaid\t/' >"$RESULTS_DIR/mermaid.tsv"
log "mermaid diagrams measured"

# Facts about the inputs (every cached org), for per-page figures.
: >"$CACHE/facts.tsv"
for size in small medium large single apis apis-base; do
    org=$CACHE/orgs/$size
    [ -d "$org" ] || continue
    pages=$(find "$org/repos" -name '*.md' -path '*/docs/*' 2>/dev/null | wc -l)
    entities=$("$GREENROOM" check "$org" 2>/dev/null | sed -n 's/^checked \([0-9]*\) entities.*/\1/p')
    printf 'facts-%s\t%s\t%s\n' "$size" "$entities" "$pages" >>"$CACHE/facts.tsv"
done

versions=$CACHE/versions.txt
{
    echo "greenroom|$("$GREENROOM" --version) ($(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
    echo "machine|$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(df -T "$CACHE" | awk 'NR==2 {print $2}') disk"
    echo "rustc|$(rustc --version)"
    if [ -z "${NO_PEERS:-}" ]; then
        echo "hugo|$(hugo version | cut -d' ' -f1-2)"
        echo "mdbook|$("$CACHE/tools/bin/mdbook" --version)"
        echo "mkdocs|$("$CACHE/venv/bin/mkdocs" --version | cut -d' ' -f1-3)"
        echo "mkdocs-techdocs-core|$("$CACHE/venv/bin/pip" show mkdocs-techdocs-core | sed -n 's/^Version: //p')"
    fi
} >"$versions"

cat "$RESULTS_DIR"/*.tsv "$CACHE/facts.tsv" >"$CACHE/results.tsv"
python3 bench/report.py "$CACHE/results.tsv" "$versions" "$RUNS" "$PEER_RUNS" >BENCHMARKS.md
log "wrote BENCHMARKS.md"
discard "$OUTS"
rm -rf "$TRASH"
