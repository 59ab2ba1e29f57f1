//! Times Mermaid diagrams drawn at build time (`greenroom::docs::mermaid::draw`: the renderer,
//! the SVG allow-list and the figure), one diagram of each common kind plus two large
//! flowcharts, and prints a Markdown table: median and slowest of 20 runs, and the size of the
//! drawing. `cargo run --release --example diagram-bench`

use greenroom::docs::mermaid;
use std::time::{Duration, Instant};

fn flowchart(nodes: usize) -> String {
    let mut source = String::from("flowchart TD\n");
    for i in 1..nodes {
        source.push_str(&format!(
            "  n{}[service {}] --> n{i}[service {i}]\n",
            (i - 1) / 3,
            (i - 1) / 3
        ));
    }
    source
}

fn main() {
    let cases: Vec<(&str, String)> = vec![
        ("flowchart (10 nodes, subgraph)", "flowchart LR\n  shopper([Shopper]) --> iframe[PSP hosted fields]\n  subgraph CDE [Cardholder data]\n    gateway[payments-gateway] --> ledger[(ledger-db)]\n    gateway --> psp{{PSP API}}\n  end\n  iframe -->|token| gateway\n  gateway -->|features| fraud[fraud-scoring]\n  fraud --> a & b & c\n".to_string()),
        ("sequence (6 participants)", "sequenceDiagram\n  participant BFF as Storefront BFF\n  participant CO as checkout\n  BFF->>CO: POST /sessions\n  CO->>Cart: GET /baskets/{id}\n  CO->>Cat: POST /prices\n  BFF->>CO: PUT /slot\n  CO->>Pay: POST /intents\n  alt paid\n    Pay-->>CO: ok\n  else failed\n    Pay-->>CO: 402\n  end\n  Note over CO: outbox\n".to_string()),
        ("state", "stateDiagram-v2\n  [*] --> open\n  open --> reserved: slot\n  reserved --> pending: confirm\n  pending --> done: paid\n  open --> expired\n  reserved --> expired\n  done --> [*]\n".to_string()),
        ("class", "classDiagram\n  class Order {\n    +id: Uuid\n    +total(): Money\n  }\n  class Line\n  Order \"1\" *-- \"many\" Line\n  Order <|-- GiftOrder\n".to_string()),
        ("er", "erDiagram\n  CUSTOMER ||--o{ ORDER : places\n  ORDER ||--|{ LINE : contains\n  CUSTOMER {\n    string id\n    string email\n  }\n".to_string()),
        ("gantt", "gantt\n  title Release\n  dateFormat YYYY-MM-DD\n  section Build\n  Design :a1, 2026-01-01, 5d\n  Code :after a1, 10d\n  section Ship\n  Rollout :2026-01-20, 3d\n".to_string()),
        ("pie", "pie title Incidents\n  \"Config\" : 12\n  \"Deploy\" : 7\n  \"Capacity\" : 3\n".to_string()),
        ("journey", "journey\n  title Onboarding\n  section Day 1\n    Laptop: 3: New hire\n    Access: 2: New hire, IT\n".to_string()),
        ("timeline", "timeline\n  title Platform\n  2024 : Kubernetes\n  2025 : Service mesh : Portal\n  2026 : Greenroom\n".to_string()),
        ("gitGraph", "gitGraph\n  commit\n  branch release\n  commit\n  checkout main\n  commit\n  merge release\n".to_string()),
        ("flowchart, 100 nodes", flowchart(100)),
        ("flowchart, 500 nodes", flowchart(500)),
    ];
    println!("| diagram | source lines | median | slowest | SVG |");
    println!("|---|---:|---:|---:|---:|");
    for (name, source) in &cases {
        let mut times: Vec<Duration> = Vec::new();
        let mut size = 0;
        for _ in 0..20 {
            let started = Instant::now();
            match mermaid::draw(source, 1) {
                Ok(diagram) => size = diagram.html.len(),
                Err(why) => {
                    println!(
                        "| {name} | {} | not drawn: {why} | | |",
                        source.lines().count()
                    );
                    break;
                }
            }
            times.push(started.elapsed());
        }
        if times.is_empty() {
            continue;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {name} | {} | {:.2} ms | {:.2} ms | {:.1} KiB |",
            source.lines().count(),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
            size as f64 / 1024.0
        );
    }
}
