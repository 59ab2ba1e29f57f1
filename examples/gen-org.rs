//! Generates a synthetic organisation (a portal root in example-org's layout) for benchmarks.
//!
//! `cargo run --release --example gen-org -- --repos 1000 --entities 10000 --seed 1 OUT`
//!
//! Deterministic for a seed: the same arguments always write the same bytes. Every reference
//! resolves, so `greenroom check OUT` is clean.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Command-line settings.
struct Settings {
    repos: usize,
    entities: usize,
    seed: u64,
    out: PathBuf,
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
        seed: 1,
        out: PathBuf::new(),
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
            "--pages" => {
                number("--pages")?;
            }
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
            eprintln!("{message}\nusage: gen-org [--repos N] [--entities N] [--seed N] OUT");
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
    let apis = remaining / 5;
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
        repo_files[repo].push((format!("apis/api-{a}.yaml"), openapi(a, word)));
        let _ = write!(
            repo_docs[repo],
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{a}\n  description: The {word} API, version {a}.\n  tags: [rest]\nspec:\n  type: openapi\n  lifecycle: {}\n  owner: team-{}\n  system: system-{}\n  definition:\n    $text: ./apis/api-{a}.yaml\n",
            rng.pick(LIFECYCLES),
            rng.below(teams),
            rng.below(systems)
        );
    }
    for c in 0..components {
        let repo = c % repos;
        let word = WORDS[c % WORDS.len()];
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
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: component-{c}\n  title: {} {c}\n  description: Handles {word} for the platform (component {c}).\n  tags: [{}, {}]\n  annotations:\n    github.com/project-slug: synthetic/repo-{repo:04}\n  links:\n    - url: https://dashboards.example.com/component-{c}\n      title: Dashboard\nspec:\n{spec}",
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
