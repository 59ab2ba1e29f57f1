//! Generates a synthetic organisation (a portal root in example-org's layout) for benchmarks.
//!
//! `cargo run --release --example gen-org -- --repos 1000 --entities 10000 --pages 20000 --seed 1 OUT`
//!
//! `--pages N` spreads N TechDocs pages over documented components (20 per site, in folders of
//! 10, with `mkdocs.yml` navs). `--single-site` puts all pages in one component's docs (50
//! folders) instead, and writes the same pages in each peer's input layout under
//! `OUT/peers/` (MkDocs, MkDocs + techdocs-core, Hugo, mdBook) for the benchmark.
//!
//! `--apis N` sets how many of the entities are APIs (by default a fifth of what is left after
//! the org), and `--operations N` how many operations each OpenAPI definition has (default 2;
//! above that, tagged operations with parameters, request bodies, responses and `$ref`s to
//! shared schemas, about 2 KB each, for the API reference benchmark).
//!
//! Deterministic for a seed: the same arguments always write the same bytes. Every reference
//! and every link resolves, so `greenroom check OUT` is clean.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Command-line settings.
struct Settings {
    repos: usize,
    entities: usize,
    pages: usize,
    single_site: bool,
    seed: u64,
    out: PathBuf,
    /// APIs among the entities; `None` for a fifth of the rest.
    apis: Option<usize>,
    /// Operations per OpenAPI definition.
    operations: usize,
}

/// SplitMix64: small, fast, and stable across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "orders",
    "billing",
    "ledger",
    "search",
    "catalog",
    "checkout",
    "identity",
    "profile",
    "inventory",
    "shipping",
    "pricing",
    "reviews",
    "payments",
    "notifications",
    "analytics",
    "media",
    "gateway",
    "fraud",
    "loyalty",
    "returns",
    "tax",
    "warehouse",
    "routing",
    "recommendations",
];
const LIFECYCLES: &[&str] = &[
    "production",
    "production",
    "production",
    "experimental",
    "deprecated",
];
const COMPONENT_TYPES: &[&str] = &["service", "service", "service", "website", "library"];
const RESOURCE_TYPES: &[&str] = &["database", "s3-bucket", "queue", "cache"];
const TAGS: &[&str] = &[
    "java",
    "go",
    "rust",
    "python",
    "typescript",
    "kafka",
    "postgres",
    "grpc",
    "pci",
    "gdpr",
];

fn parse_args() -> Result<Settings, String> {
    let mut settings = Settings {
        repos: 100,
        entities: 1000,
        pages: 0,
        single_site: false,
        seed: 1,
        out: PathBuf::new(),
        apis: None,
        operations: 2,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--repos" => settings.repos = number("--repos")? as usize,
            "--entities" => settings.entities = number("--entities")? as usize,
            "--seed" => settings.seed = number("--seed")?,
            "--pages" => settings.pages = number("--pages")? as usize,
            "--single-site" => settings.single_site = true,
            "--apis" => settings.apis = Some(number("--apis")? as usize),
            "--operations" => settings.operations = number("--operations")? as usize,
            "-h" | "--help" => return Err(String::new()),
            other if !other.starts_with('-') => settings.out = PathBuf::from(other),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if settings.out.as_os_str().is_empty() {
        return Err("missing OUT folder".to_string());
    }
    Ok(settings)
}

fn main() {
    let settings = match parse_args() {
        Ok(s) => s,
        Err(message) => {
            eprintln!("{message}\nusage: gen-org [--repos N] [--entities N] [--pages N] [--single-site] [--apis N] [--operations N] [--seed N] OUT");
            std::process::exit(2);
        }
    };
    if let Err(e) = generate(&settings) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn generate(s: &Settings) -> std::io::Result<()> {
    let mut rng = Rng(s.seed);
    let n = s.entities.max(50);
    // Org: 1 root, 4 areas, 16 departments, teams; users; 4 levels deep.
    let teams = (n / 40).max(8);
    let users = (n / 15).max(10);
    let domains = (n / 1000).max(2);
    let systems = (n / 100).max(4);
    let remaining = n.saturating_sub(1 + 4 + 16 + teams + users + domains + systems);
    let apis = s.apis.unwrap_or(remaining / 5).min(remaining);
    let resources = remaining / 6;
    let components = remaining - apis - resources;

    if s.out.exists() {
        std::fs::remove_dir_all(&s.out)?;
    }
    write(
        &s.out.join("greenroom.yaml"),
        "title: Synthetic Org\nsources:\n  - path: repos\ncatalog:\n  locations:\n    - type: file\n      target: org/*.yaml\n",
    )?;

    let mut org = String::new();
    group(
        &mut org,
        "root",
        "root",
        None,
        &(0..4).map(|a| format!("area-{a}")).collect::<Vec<_>>(),
    );
    for a in 0..4 {
        let children: Vec<String> = (0..4).map(|d| format!("dept-{}", a * 4 + d)).collect();
        group(
            &mut org,
            &format!("area-{a}"),
            "product-area",
            Some("root"),
            &children,
        );
    }
    for d in 0..16 {
        let children: Vec<String> = (0..teams)
            .filter(|t| t % 16 == d)
            .map(|t| format!("team-{t}"))
            .collect();
        group(
            &mut org,
            &format!("dept-{d}"),
            "department",
            Some(&format!("area-{}", d / 4)),
            &children,
        );
    }
    for t in 0..teams {
        group(
            &mut org,
            &format!("team-{t}"),
            "team",
            Some(&format!("dept-{}", t % 16)),
            &[],
        );
    }
    write(&s.out.join("org/groups.yaml"), &org)?;

    let mut people = String::new();
    for u in 0..users {
        let first = format!("team-{}", u % teams);
        let mut groups = vec![first];
        if rng.below(4) == 0 {
            groups.push(format!("team-{}", rng.below(teams)));
            groups.dedup();
        }
        let _ = write!(
            people,
            "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: user-{u}\nspec:\n  profile:\n    displayName: User {u}\n    email: user-{u}@example.com\n  memberOf: [{}]\n",
            groups.join(", ")
        );
    }
    write(&s.out.join("org/users.yaml"), &people)?;

    let mut landscape = String::new();
    for d in 0..domains {
        let _ = write!(
            landscape,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: domain-{d}\n  description: The {} domain.\nspec:\n  owner: area-{}\n",
            WORDS[d % WORDS.len()],
            d % 4
        );
    }
    for y in 0..systems {
        let _ = write!(
            landscape,
            "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: system-{y}\n  description: Everything about {}.\nspec:\n  owner: dept-{}\n  domain: domain-{}\n",
            WORDS[y % WORDS.len()],
            y % 16,
            y % domains
        );
    }
    write(&s.out.join("org/landscape.yaml"), &landscape)?;

    // Distribute components, APIs and resources over repos; refs point at lower indices or at
    // entities that exist by construction.
    let repos = s.repos.max(1);
    let mut repo_docs: Vec<String> = vec![String::new(); repos];
    let mut repo_files: Vec<Vec<(String, String)>> = vec![Vec::new(); repos];
    for r in 0..resources {
        let repo = r % repos;
        let _ = write!(
            repo_docs[repo],
            "---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: resource-{r}\n  description: {} store number {r}.\nspec:\n  type: {}\n  owner: team-{}\n  system: system-{}\n",
            WORDS[r % WORDS.len()],
            rng.pick(RESOURCE_TYPES),
            rng.below(teams),
            rng.below(systems)
        );
    }
    for a in 0..apis {
        let repo = a % repos;
        let word = WORDS[a % WORDS.len()];
        let definition = if s.operations > 2 {
            openapi_large(a, word, s.operations)
        } else {
            openapi(a, word)
        };
        repo_files[repo].push((format!("apis/api-{a}.yaml"), definition));
        let _ = write!(
            repo_docs[repo],
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{a}\n  description: The {word} API, version {a}.\n  tags: [rest]\nspec:\n  type: openapi\n  lifecycle: {}\n  owner: team-{}\n  system: system-{}\n  definition:\n    $text: ./apis/api-{a}.yaml\n",
            rng.pick(LIFECYCLES),
            rng.below(teams),
            rng.below(systems)
        );
    }
    let per_site = if s.single_site {
        s.pages
    } else {
        PAGES_PER_SITE
    };
    let documented = if s.pages == 0 {
        0
    } else if s.single_site {
        1
    } else {
        s.pages.div_ceil(PAGES_PER_SITE).min(components)
    };
    let mut page_budget = s.pages;
    for c in 0..components {
        let repo = c % repos;
        let word = WORDS[c % WORDS.len()];
        let docs_annotation = if c < documented {
            let count = if c + 1 == documented {
                page_budget
            } else {
                per_site.min(page_budget)
            };
            page_budget -= count;
            let folder = format!("docs-component-{c}");
            let site = DocsSite {
                reference_shape: s.single_site,
                component: c,
                word,
                pages: count,
                folders: if s.single_site {
                    50
                } else {
                    count.div_ceil(10)
                },
                documented,
            };
            for (path, text) in site.files(&mut rng) {
                repo_files[repo].push((format!("{folder}/{path}"), text));
            }
            if s.single_site {
                site.write_peers(&s.out.join("peers"), &repo_files[repo], &folder)?;
            }
            format!("    backstage.io/techdocs-ref: dir:./{folder}\n")
        } else {
            String::new()
        };
        let mut spec = format!(
            "  type: {}\n  lifecycle: {}\n  owner: team-{}\n  system: system-{}\n",
            rng.pick(COMPONENT_TYPES),
            rng.pick(LIFECYCLES),
            rng.below(teams),
            rng.below(systems)
        );
        if apis > 0 {
            let _ = write!(
                spec,
                "  providesApis: [api-{}]\n  consumesApis: [api-{}, api-{}]\n",
                c % apis,
                rng.below(apis),
                rng.below(apis)
            );
        }
        let mut depends = Vec::new();
        if resources > 0 {
            depends.push(format!("resource:resource-{}", rng.below(resources)));
        }
        if c > 0 {
            depends.push(format!("component:component-{}", rng.below(c)));
        }
        if !depends.is_empty() {
            let _ = writeln!(spec, "  dependsOn: [{}]", depends.join(", "));
        }
        let _ = write!(
            repo_docs[repo],
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: component-{c}\n  title: {} {c}\n  description: Handles {word} for the platform (component {c}).\n  tags: [{}, {}]\n  annotations:\n    github.com/project-slug: synthetic/repo-{repo:04}\n{docs_annotation}  links:\n    - url: https://dashboards.example.com/component-{c}\n      title: Dashboard\nspec:\n{spec}",
            capitalise(word),
            rng.pick(TAGS),
            rng.pick(&TAGS[..5])
        );
    }
    for (repo, docs) in repo_docs.iter().enumerate() {
        let root = s.out.join(format!("repos/repo-{repo:04}"));
        let body = if docs.is_empty() {
            "# nothing here yet\n".to_string()
        } else {
            docs.clone()
        };
        write(&root.join("catalog-info.yaml"), &body)?;
        for (path, text) in &repo_files[repo] {
            write(&root.join(path), text)?;
        }
    }
    Ok(())
}

fn group(out: &mut String, name: &str, kind: &str, parent: Option<&str>, children: &[String]) {
    let _ = write!(
        out,
        "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n  description: The {name} {kind}.\nspec:\n  type: {kind}\n"
    );
    if let Some(parent) = parent {
        let _ = writeln!(out, "  parent: {parent}");
    }
    let _ = writeln!(out, "  children: [{}]", children.join(", "));
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn openapi(index: usize, word: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo:\n  title: {} API {index}\n  version: 1.{index}.0\npaths:\n  /{word}:\n    get:\n      summary: List {word}\n      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema:\n                type: array\n                items:\n                  $ref: '#/components/schemas/Item'\n  /{word}/{{id}}:\n    get:\n      summary: Get one of {word}\n      parameters:\n        - name: id\n          in: path\n          required: true\n          schema:\n            type: string\n      responses:\n        '200':\n          description: OK\ncomponents:\n  schemas:\n    Item:\n      type: object\n      properties:\n        id:\n          type: string\n        name:\n          type: string\n",
        capitalise(word)
    )
}

/// An OpenAPI 3.0 definition of `operations` operations: five per resource path (list,
/// create, read, update, delete) under tags, each with parameters, bodies and responses that
/// refer to shared component schemas, like a real service's definition.
fn openapi_large(index: usize, word: &str, operations: usize) -> String {
    let title = capitalise(word);
    let mut out = format!(
        "openapi: 3.0.3\ninfo:\n  title: {title} API {index}\n  version: 2.{index}.0\n  description: |\n    The **{word}** service's public API. Every call needs a bearer token; see [errors](#schema/Error).\n  contact:\n    name: Team {word}\n    email: {word}@example.com\n  license:\n    name: Apache 2.0\nservers:\n  - url: https://{word}.example.com/v2\n    description: Production\ntags:\n"
    );
    let resources = operations.div_ceil(5);
    for r in 0..resources {
        let _ = writeln!(
            out,
            "  - name: {word}{r}\n    description: Resources of kind {word}{r}."
        );
    }
    out.push_str("paths:\n");
    let mut written = 0;
    for r in 0..resources {
        let resource = format!("{word}{r}");
        let name = capitalise(&resource);
        let _ = writeln!(out, "  /{resource}:");
        for (method, op) in [("get", "list"), ("post", "create")] {
            if written == operations {
                break;
            }
            written += 1;
            let _ = write!(out, "    {method}:\n      tags: [{resource}]\n      operationId: {op}{name}\n      summary: {} {resource}\n      description: {} {resource} items, newest first. Results are paged with `cursor`.\n", capitalise(op), capitalise(op));
            if method == "get" {
                out.push_str("      parameters:\n        - $ref: '#/components/parameters/Limit'\n        - name: cursor\n          in: query\n          description: Where the previous page ended.\n          schema:\n            type: string\n        - name: sort\n          in: query\n          schema:\n            type: string\n            enum: [newest, oldest, name]\n            default: newest\n");
                let _ = write!(out, "      responses:\n        '200':\n          description: A page of {resource} items.\n          headers:\n            X-Next-Cursor:\n              schema:\n                type: string\n          content:\n            application/json:\n              schema:\n                type: array\n                items:\n                  $ref: '#/components/schemas/{name}'\n        default:\n          $ref: '#/components/responses/Problem'\n");
            } else {
                let _ = write!(out, "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/{name}'\n            example:\n              name: first {resource}\n              size: 3\n      responses:\n        '201':\n          description: Created.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/{name}'\n        default:\n          $ref: '#/components/responses/Problem'\n");
            }
        }
        if written == operations {
            break;
        }
        let _ = write!(out, "  /{resource}/{{id}}:\n    parameters:\n      - name: id\n        in: path\n        required: true\n        description: The item's id.\n        schema:\n          type: string\n          format: uuid\n");
        for (method, op) in [("get", "get"), ("put", "update"), ("delete", "delete")] {
            if written == operations {
                break;
            }
            written += 1;
            let _ = write!(out, "    {method}:\n      tags: [{resource}]\n      operationId: {op}{name}\n      summary: {} one {resource}\n", capitalise(op));
            if method == "put" {
                let _ = write!(out, "      requestBody:\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/{name}'\n");
            }
            let _ = write!(out, "      responses:\n        '200':\n          description: The {resource} item.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/{name}'\n        '404':\n          description: No such item.\n        default:\n          $ref: '#/components/responses/Problem'\n");
        }
    }
    out.push_str("components:\n  parameters:\n    Limit:\n      name: limit\n      in: query\n      description: Most items per page.\n      schema:\n        type: integer\n        minimum: 1\n        maximum: 100\n        default: 20\n  responses:\n    Problem:\n      description: Something went wrong.\n      content:\n        application/problem+json:\n          schema:\n            $ref: '#/components/schemas/Error'\n  schemas:\n    Error:\n      type: object\n      required: [code, message]\n      properties:\n        code:\n          type: integer\n          format: int32\n        message:\n          type: string\n        details:\n          type: array\n          items:\n            type: string\n");
    for r in 0..resources {
        let name = capitalise(&format!("{word}{r}"));
        let _ = write!(out, "    {name}:\n      type: object\n      required: [id, name]\n      properties:\n        id:\n          type: string\n          format: uuid\n          readOnly: true\n        name:\n          type: string\n          maxLength: 200\n        size:\n          type: integer\n          minimum: 0\n        status:\n          type: string\n          enum: [active, archived]\n        owner:\n          $ref: '#/components/schemas/Error'\n        labels:\n          type: object\n          additionalProperties:\n            type: string\n");
    }
    out
}

/// Pages per docs site in an org (`--pages` without `--single-site`).
const PAGES_PER_SITE: usize = 20;

const LANGUAGES: &[(&str, &str)] = &[
    ("python", "def handle(event):\n    order = load_order(event[\"order_id\"])\n    if order.is_paid():\n        return publish(\"orders.paid\", order)\n    raise RetryLater(seconds=30)\n"),
    ("go", "func (s *Server) Get(ctx context.Context, id string) (*Item, error) {\n\titem, err := s.store.Load(ctx, id)\n\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"load %s: %w\", id, err)\n\t}\n\treturn item, nil\n}\n"),
    ("java", "@Service\npublic class PriceService {\n    private final PriceRepository prices;\n\n    public Money priceOf(String sku) {\n        return prices.findCurrent(sku).orElseThrow(() -> new UnknownSku(sku));\n    }\n}\n"),
    ("typescript", "export async function fetchBasket(id: string): Promise<Basket> {\n  const response = await fetch(`/api/baskets/${id}`);\n  if (!response.ok) throw new Error(`basket ${id}: ${response.status}`);\n  return (await response.json()) as Basket;\n}\n"),
    ("bash", "kubectl -n payments rollout status deploy/ledger --timeout=120s\nkubectl -n payments logs -l app=ledger --since=10m | grep -i error | tail -n 50\n"),
    ("yaml", "service:\n  name: orders\n  replicas: 3\n  resources:\n    limits: {cpu: 500m, memory: 512Mi}\n  env:\n    - name: DATABASE_URL\n      valueFrom: {secretKeyRef: {name: orders-db, key: url}}\n"),
    ("json", "{\n  \"id\": \"ord_123\",\n  \"status\": \"paid\",\n  \"total\": {\"amount\": 4999, \"currency\": \"EUR\"},\n  \"items\": [{\"sku\": \"4006381333931\", \"quantity\": 2}]\n}\n"),
    ("sql", "SELECT o.id, o.status, SUM(l.amount) AS total\nFROM orders o\nJOIN order_lines l ON l.order_id = o.id\nWHERE o.created_at > now() - interval '1 day'\nGROUP BY o.id, o.status;\n"),
    ("rust", "pub fn retry<T>(mut attempt: impl FnMut() -> Result<T, Error>) -> Result<T, Error> {\n    for delay in [10, 100, 1000] {\n        match attempt() {\n            Ok(value) => return Ok(value),\n            Err(_) => std::thread::sleep(Duration::from_millis(delay)),\n        }\n    }\n    attempt()\n}\n"),
];

const SENTENCES: &[&str] = &[
    "The service reads its configuration at start-up and refuses to start when a required value is missing.",
    "Every request carries a correlation id, which the logs and traces use to join the calls of one checkout.",
    "Writes go to the primary database; reads that tolerate a few seconds of lag go to the replicas.",
    "Retries use exponential back-off with jitter so that a recovering dependency is not flooded.",
    "The on-call engineer owns the rollback decision and does not need approval to roll back.",
    "Metrics are scraped every fifteen seconds and kept for thirty days at full resolution.",
    "Feature flags are evaluated per request, so a flag change takes effect without a deploy.",
    "Schema changes are backwards compatible for one release, which lets old and new pods run side by side.",
    "The queue consumer acknowledges a message only after its side effects are committed.",
    "Capacity is planned for twice the peak of the last Black Friday, measured per fulfilment centre.",
    "Secrets come from the vault at start-up and are rotated every ninety days without downtime.",
    "Dashboards link to the runbook section that explains each alert and the first thing to check.",
];

/// One component's docs: `mkdocs.yml`, `docs/index.md`, folders of pages, an image.
struct DocsSite<'a> {
    /// The peer-comparison shape: exactly one code block and one table per page.
    reference_shape: bool,
    component: usize,
    word: &'a str,
    pages: usize,
    folders: usize,
    documented: usize,
}

impl DocsSite<'_> {
    /// Page paths relative to `docs/`, in nav order: the index, then `folder-F/page-P.md`.
    fn page_paths(&self) -> Vec<String> {
        let mut paths = vec!["index.md".to_string()];
        let rest = self.pages.saturating_sub(1);
        let folders = self.folders.max(1);
        for p in 0..rest {
            paths.push(format!("folder-{}/page-{p}.md", p % folders));
        }
        paths.sort_by_key(|p| {
            let folder: usize = p
                .strip_prefix("folder-")
                .and_then(|r| r.split('/').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (p != "index.md", folder, p.len(), p.clone())
        });
        paths
    }

    fn files(&self, rng: &mut Rng) -> Vec<(String, String)> {
        let paths = self.page_paths();
        let mut files = Vec::with_capacity(paths.len() + 2);
        let mut nav = String::from("nav:\n  - Home: index.md\n");
        let mut current_folder = String::new();
        for path in paths.iter().skip(1) {
            let folder = path.split('/').next().unwrap_or_default();
            if folder != current_folder {
                let _ = writeln!(nav, "  - {}:", capitalise(&folder.replace('-', " ")));
                current_folder = folder.to_string();
            }
            let _ = writeln!(nav, "      - {path}");
        }
        files.push((
            "mkdocs.yml".to_string(),
            format!(
                "site_name: {} {} docs\nsite_description: How component {} works and how to run it.\nrepo_url: https://github.com/synthetic/component-{}\nedit_uri: edit/main/docs/\nplugins:\n  - techdocs-core\nmarkdown_extensions:\n  - admonition\n  - toc:\n      permalink: true\n{nav}",
                capitalise(self.word),
                self.component,
                self.component,
                self.component
            ),
        ));
        for (index, path) in paths.iter().enumerate() {
            files.push((format!("docs/{path}"), self.page(rng, &paths, index)));
        }
        files.push(("docs/img/diagram.svg".to_string(), diagram(self.component)));
        files
    }

    /// A page of engineering docs: sections with paragraphs, a list, a table, an admonition,
    /// one to three code blocks, links to sibling pages, anchors and other components' docs.
    fn page(&self, rng: &mut Rng, paths: &[String], index: usize) -> String {
        let path = &paths[index];
        let depth = path.matches('/').count();
        let up = "../".repeat(depth);
        let mut text = format!(
            "# {} {} {}\n\n",
            capitalise(self.word),
            if index == 0 { "overview" } else { "guide" },
            index
        );
        let big = rng.below(100) == 0;
        let sections = if big { 75 } else { 3 + rng.below(5) };
        let code_blocks = if self.reference_shape {
            1
        } else {
            1 + rng.below(3)
        };
        for section in 0..sections {
            let heading = match section {
                0 => "Overview".to_string(),
                1 => "Configuration".to_string(),
                2 => "Operations".to_string(),
                n => format!("Details part {n}"),
            };
            let _ = writeln!(text, "## {heading}\n");
            for _ in 0..(1 + rng.below(3)) {
                let sentences: Vec<&str> = (0..(2 + rng.below(3)))
                    .map(|_| *rng.pick(SENTENCES))
                    .collect();
                let _ = writeln!(text, "{}\n", sentences.join(" "));
            }
            match section % 4 {
                0 => {
                    let next = &paths[(index + 1) % paths.len()];
                    let other = &paths[rng.below(paths.len())];
                    let _ = writeln!(
                        text,
                        "- Read [the next guide]({up}{next}) before changing anything.\n- The [configuration reference]({up}{other}#configuration) lists every setting.\n- See [operations](#operations) for alerts.\n"
                    );
                }
                1 if !self.reference_shape || section == 1 => {
                    let _ = writeln!(
                        text,
                        "| Setting | Default | Meaning |\n|---|---|---|\n| `timeout_ms` | 2000 | Upstream timeout |\n| `max_retries` | 3 | Retries before failing |\n| `pool_size` | 20 | Database connections |\n"
                    );
                }
                1 => {}
                2 => {
                    let _ = writeln!(
                        text,
                        "!!! warning \"Before you deploy\"\n    Check the error budget on the dashboard. {}\n",
                        rng.pick(SENTENCES)
                    );
                }
                _ => {
                    let other = (self.component + 1) % self.documented.max(1);
                    let _ = writeln!(
                        text,
                        "Upstream: [component {other} docs](/docs/default/component/component-{other}/).\n"
                    );
                }
            }
            if section < code_blocks {
                // Unique per page (as real docs' code is), so no cache can flatter the numbers.
                let (language, code) = LANGUAGES[(index + section) % LANGUAGES.len()];
                let code = code
                    .replace("order", &format!("order{index}"))
                    .replace("item", &format!("item{}", self.component))
                    .replace("sku", &format!("sku{section}"));
                // A line naming the component, page and block, so that no two blocks of an
                // org are the same text (repeated snippets would let highlighting be reused).
                let tag = format!("ref c{}-p{index}-s{section}", self.component);
                let code = match language {
                    "json" => code.replacen('{', &format!("{{\n  \"_ref\": \"{tag}\","), 1),
                    "python" | "bash" | "yaml" => format!("# {tag}\n{code}"),
                    "sql" => format!("-- {tag}\n{code}"),
                    _ => format!("// {tag}\n{code}"),
                };
                let _ = writeln!(text, "```{language}\n{code}```\n");
            }
        }
        if rng.below(10) == 0 {
            let _ = writeln!(text, "![Architecture]({up}img/diagram.svg)\n");
        }
        text
    }

    /// The same pages in each peer's input layout.
    fn write_peers(
        &self,
        peers: &Path,
        files: &[(String, String)],
        folder: &str,
    ) -> std::io::Result<()> {
        let prefix = format!("{folder}/docs/");
        let pages: Vec<(&str, &str)> = files
            .iter()
            .filter_map(|(path, text)| Some((path.strip_prefix(&prefix)?, text.as_str())))
            .collect();
        let mkdocs_yml = files
            .iter()
            .find(|(p, _)| *p == format!("{folder}/mkdocs.yml"))
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        let nav = mkdocs_yml
            .split_once("nav:\n")
            .map(|(_, n)| n)
            .unwrap_or_default();
        let plain = format!("site_name: Peer benchmark\nmarkdown_extensions:\n  - admonition\n  - tables\n  - toc:\n      permalink: true\n  - pymdownx.superfences\n  - pymdownx.highlight\nnav:\n{nav}");
        let techdocs =
            format!("site_name: Peer benchmark\nplugins:\n  - techdocs-core\nnav:\n{nav}");
        for (name, config) in [("mkdocs", plain), ("mkdocs-techdocs", techdocs)] {
            write(&peers.join(name).join("mkdocs.yml"), &config)?;
            for (path, text) in &pages {
                write(&peers.join(name).join("docs").join(path), text)?;
            }
        }
        let hugo = peers.join("hugo");
        write(
            &hugo.join("hugo.toml"),
            "baseURL = 'https://example.org/'\ntitle = 'Peer benchmark'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n[markup.goldmark.renderer]\nunsafe = true\n",
        )?;
        let layout = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ end }}</nav><main>{{ .Content }}</main></body></html>\n";
        write(&hugo.join("layouts/_default/single.html"), layout)?;
        write(&hugo.join("layouts/_default/list.html"), layout)?;
        let book = peers.join("mdbook");
        write(
            &book.join("book.toml"),
            "[book]\ntitle = \"Peer benchmark\"\n[output.html]\n",
        )?;
        let mut summary = String::from("# Summary\n\n");
        let mut current_folder = "";
        for (path, text) in &pages {
            if path.ends_with(".md") {
                // A root `index.md` would make Hugo treat the whole site as one leaf bundle.
                let hugo_path = if *path == "index.md" {
                    "_index.md"
                } else {
                    path
                };
                write(&hugo.join("content").join(hugo_path), text)?;
                write(&book.join("src").join(path), text)?;
                let title = text
                    .lines()
                    .next()
                    .unwrap_or("Page")
                    .trim_start_matches("# ");
                let folder = path.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
                if !folder.is_empty() && folder != current_folder {
                    let _ = writeln!(summary, "- [{}]()", capitalise(&folder.replace('-', " ")));
                    current_folder = folder;
                }
                let indent = if folder.is_empty() { "" } else { "  " };
                let _ = writeln!(summary, "{indent}- [{title}](./{path})");
            } else {
                write(&hugo.join("static").join(path), text)?;
                write(&book.join("src").join(path), text)?;
            }
        }
        write(&book.join("src/SUMMARY.md"), &summary)
    }
}

fn diagram(component: usize) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"80\"><rect x=\"4\" y=\"4\" width=\"140\" height=\"72\" rx=\"8\" fill=\"#e2f3eb\" stroke=\"#0a6e4e\"/><text x=\"20\" y=\"45\">component-{component}</text><path d=\"M150 40h60\" stroke=\"#333\"/><rect x=\"214\" y=\"4\" width=\"100\" height=\"72\" rx=\"8\" fill=\"#eef\" stroke=\"#335\"/><text x=\"236\" y=\"45\">database</text></svg>\n"
    )
}
