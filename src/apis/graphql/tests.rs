use crate::apis::model::{Item, ItemKind, Reference};
use crate::apis::{read_definition, read_fixture, Read, Source};
use crate::catalog::entity::DefinitionSource;
use crate::catalog::refs::EntityRef;
use crate::diag::{Diagnostic, Severity};
use std::path::Path;

const FILMS: &str = "repos/films/schema.graphql";
const REVIEWS: &str = "repos/reviews-graphql/schema.graphql";
const BROKEN: &str = "repos/broken-graphql/schema.graphql";

/// Reads SDL written in the test, as the descriptor's inline definition.
fn read_text(text: &str) -> Read {
    let origin = DefinitionSource {
        path: None,
        display: "catalog-info.yaml".to_string(),
        first_line: 1,
        root: Path::new("/").to_path_buf(),
    };
    let entity = EntityRef {
        kind: "api".to_string(),
        namespace: "default".to_string(),
        name: "inline".to_string(),
    };
    let read = read_definition(
        "graphql",
        &Source {
            text,
            origin: &origin,
            portal_root: Path::new("/"),
            entity: &entity,
        },
    );
    assert!(
        !read
            .diagnostics
            .iter()
            .any(|d| d.message.contains("reader failed")),
        "the reader panicked"
    );
    read
}

/// The 1-based line of the first line of a fixture containing `needle`.
fn fixture_line(relative: &str, needle: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apis")
        .join(relative);
    let text = std::fs::read_to_string(path).expect("fixture");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in {relative}"))
}

fn reference(read: &Read) -> &Reference {
    read.reference.as_ref().expect("a reference")
}

fn item<'r>(reference: &'r Reference, anchor: &str) -> &'r Item {
    reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.anchor == anchor)
        .unwrap_or_else(|| panic!("no item {anchor}"))
}

fn anchors(reference: &Reference, section: &str) -> Vec<String> {
    reference
        .sections
        .iter()
        .find(|s| s.id == section)
        .map(|s| s.items.iter().map(|i| i.anchor.clone()).collect())
        .unwrap_or_default()
}

fn messages(read: &Read) -> Vec<String> {
    read.diagnostics
        .iter()
        .map(|d| format!("{:?}@{:?}: {}", d.severity, d.line, d.message))
        .collect()
}

#[test]
fn films_has_the_fixed_permalinks_in_section_order() {
    let read = read_fixture("graphql", FILMS);
    assert!(read.diagnostics.is_empty(), "{:?}", messages(&read));
    let r = reference(&read);
    assert_eq!(r.format, "GraphQL SDL");
    assert_eq!(r.title, None);
    let ids: Vec<&str> = r.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "queries",
            "mutations",
            "subscriptions",
            "types-objects",
            "types-interfaces",
            "types-unions",
            "types-enums",
            "types-inputs",
            "types-scalars",
            "directives"
        ]
    );
    assert_eq!(
        anchors(r, "queries"),
        [
            "query/node",
            "query/allFilms",
            "query/film",
            "query/person",
            "query/planet",
            "query/search",
            "query/planets"
        ]
    );
    assert_eq!(
        anchors(r, "mutations"),
        [
            "mutation/addFilm",
            "mutation/removeFilm",
            "mutation/archiveFilm"
        ]
    );
    assert_eq!(anchors(r, "subscriptions"), ["subscription/filmAdded"]);
    assert_eq!(
        anchors(r, "types-objects"),
        ["type/Film", "type/Person", "type/Planet", "type/Starship"]
    );
    assert_eq!(
        anchors(r, "types-interfaces"),
        ["type/Node", "type/Timestamped"]
    );
    assert_eq!(anchors(r, "types-unions"), ["type/SearchResult"]);
    assert_eq!(
        anchors(r, "types-scalars"),
        ["type/DateTime", "type/Length"]
    );
    assert_eq!(anchors(r, "directives"), ["directive/remote"]);
    let film = item(r, "query/film");
    assert_eq!(film.kind, ItemKind::Query);
    assert_eq!(film.label.as_deref(), Some("Film"));
    assert_eq!(item(r, "mutation/addFilm").kind, ItemKind::Mutation);
    assert_eq!(item(r, "type/Node").badge.as_deref(), Some("interface"));
    assert_eq!(item(r, "type/FilmInput").badge.as_deref(), Some("input"));
}

#[test]
fn custom_root_names_are_facts_and_roots_are_not_types() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let fact = r
        .facts
        .iter()
        .find(|f| f.label == "Query type")
        .expect("fact");
    assert_eq!(fact.text, "Root");
    assert!(!r.facts.iter().any(|f| f.label == "Mutation type"));
    let all: Vec<&str> = r
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.anchor.as_str())
        .collect();
    assert!(!all.contains(&"type/Root"));
    assert!(!all.contains(&"type/Mutation"));
    // The schema's description is the reference's; the root type's is its section's.
    assert!(r
        .description
        .as_ref()
        .expect("description")
        .as_str()
        .contains("<code>id</code>"));
    let queries = r
        .sections
        .iter()
        .find(|s| s.id == "queries")
        .expect("queries");
    assert!(queries
        .description
        .as_ref()
        .expect("root description")
        .as_str()
        .contains("The root of every query"));
}

#[test]
fn default_root_names_and_links_to_a_root_type() {
    let read = read_fixture("graphql", REVIEWS);
    assert!(read.diagnostics.is_empty(), "{:?}", messages(&read));
    let r = reference(&read);
    assert!(!r.facts.iter().any(|f| f.label.ends_with(" type")));
    assert_eq!(
        anchors(r, "queries"),
        [
            "query/reviews",
            "query/ratingCube",
            "query/__proto__",
            "query/review"
        ]
    );
    assert_eq!(anchors(r, "mutations"), ["mutation/addReview"]);
    let review = item(r, "type/Review").body.as_str();
    assert!(
        review.contains("<a href=\"#queries\">Query</a>"),
        "{review}"
    );
}

#[test]
fn types_are_linked_with_wrappers_as_text_and_built_ins_unlinked() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let all_films = item(r, "query/allFilms").body.as_str();
    assert!(
        all_films.contains("<code>[<a href=\"#type/Film\">Film</a>!]!</code>"),
        "{all_films}"
    );
    assert!(all_films.contains("<code><a href=\"#type/FilmOrder\">FilmOrder</a></code>"));
    assert!(
        all_films.contains("<code>RELEASE_DATE</code>"),
        "default shown"
    );
    assert!(all_films.contains("<code>Int</code>"));
    assert!(!all_films.contains("#type/Int"));
    let film = item(r, "type/Film").body.as_str();
    assert!(
        film.contains("<code>first</code>: <code>Int</code> = <code>10</code>"),
        "field arguments with defaults: {film}"
    );
    assert!(film
        .contains("<a href=\"#type/Node\"><code>Node</code></a>, <a href=\"#type/Timestamped\">"));
    let input = item(r, "type/FilmInput").body.as_str();
    assert!(
        input.contains("<code>&quot;George Lucas&quot;</code>"),
        "{input}"
    );
}

#[test]
fn interfaces_list_their_implementers_and_unions_their_members() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let node = item(r, "type/Node").body.as_str();
    let implemented = node.split("Implemented by").nth(1).expect("implementers");
    for name in ["Film", "Person", "Planet", "Starship"] {
        assert!(
            implemented.contains(&format!("href=\"#type/{name}\"")),
            "{name}: {node}"
        );
    }
    let timestamped = item(r, "type/Timestamped").body.as_str();
    assert!(timestamped.contains("#type/Person"));
    assert!(
        !timestamped.contains("#type/Planet"),
        "Planet is not Timestamped"
    );
    let union = item(r, "type/SearchResult").body.as_str();
    assert!(
        union.contains("<a href=\"#type/Film\"><code>Film</code></a> | <a href=\"#type/Person\"><code>Person</code></a> | <a href=\"#type/Planet\"><code>Planet</code></a> | <a href=\"#type/Starship\"><code>Starship</code></a>"),
        "members, the extension's last: {union}"
    );
    assert!(item(r, "type/Film").body.as_str().contains("Member of"));
}

#[test]
fn deprecations_show_their_reasons() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let remove = item(r, "mutation/removeFilm");
    assert!(remove.deprecated);
    assert!(remove
        .body
        .as_str()
        .contains("Films are never removed; use <code>archiveFilm</code>."));
    assert!(!item(r, "mutation/archiveFilm").deprecated);
    let film = item(r, "type/Film").body.as_str();
    assert!(
        film.contains("<code>producer</code> <span class=\"badge deprecated\">deprecated</span>")
    );
    assert!(
        film.contains("Use <code>producers</code>, a list."),
        "{film}"
    );
    let unit = item(r, "type/LengthUnit").body.as_str();
    assert!(unit.contains("The Empire does not use feet."));
    assert!(
        unit.contains("No longer supported"),
        "the default reason: {unit}"
    );
}

#[test]
fn extensions_merge_into_the_type_they_extend() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let planet = item(r, "type/Planet").body.as_str();
    assert!(planet.contains("<code>gravity</code>"), "{planet}");
    assert!(planet.contains("The films this planet appears in."));
    assert_eq!(
        r.sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.name == "Planet")
            .count(),
        1
    );
    assert!(item(r, "type/FilmOrder")
        .body
        .as_str()
        .contains("<code>TITLE</code>"));
    assert_eq!(
        item(r, "query/planets").kind,
        ItemKind::Query,
        "extend type Root"
    );
}

#[test]
fn scalars_show_specified_by_and_block_strings_are_dedented() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let date = item(r, "type/DateTime");
    assert!(date
        .body
        .as_str()
        .contains("<a href=\"https://datatracker.ietf.org/doc/html/rfc3339\" rel=\"noopener\">"));
    assert!(item(r, "type/Length").body.is_empty());
    // The indented line of Node's block string stays a code block after dedenting.
    let node = item(r, "type/Node")
        .description
        .as_ref()
        .expect("description");
    assert!(node.as_str().contains("<pre"), "{}", node.as_str());
    let planet = item(r, "type/Planet")
        .description
        .as_ref()
        .expect("description");
    assert!(
        planet.as_str().starts_with("<p>A large mass"),
        "{}",
        planet.as_str()
    );
}

#[test]
fn directives_list_arguments_and_locations() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let remote = item(r, "directive/remote");
    assert_eq!(remote.name, "@remote");
    let body = remote.body.as_str();
    assert!(body.contains("Locations (repeatable)"));
    assert!(body.contains("<code>FIELD_DEFINITION</code> | <code>OBJECT</code>"));
    assert!(body.contains("<code>500</code>"));
}

#[test]
fn search_text_has_field_argument_and_type_names_and_description_words() {
    let read = read_fixture("graphql", FILMS);
    let r = reference(&read);
    let all_films = &item(r, "query/allFilms").search_text;
    for word in ["order", "first", "FilmOrder", "Film", "requested"] {
        assert!(
            all_films.split(' ').any(|w| w == word),
            "{word}: {all_films}"
        );
    }
    let film = &item(r, "type/Film").search_text;
    assert!(
        film.contains("characters") && film.contains("openingCrawl"),
        "{film}"
    );
    for i in r.sections.iter().flat_map(|s| &s.items) {
        assert!(i.search_text.len() <= 300, "{}", i.anchor);
    }
    let reviews = read_fixture("graphql", REVIEWS);
    let search = &item(reference(&reviews), "query/reviews").search_text;
    assert!(!search.contains('<'), "tags stripped: {search}");
    assert!(search.contains("newest"));
}

#[test]
fn hostile_text_is_escaped_and_odd_names_are_fine() {
    let read = read_fixture("graphql", REVIEWS);
    let r = reference(&read);
    let reviews = item(r, "query/reviews")
        .description
        .as_ref()
        .expect("description");
    assert!(
        !reviews.as_str().contains("<script"),
        "{}",
        reviews.as_str()
    );
    assert!(reviews.as_str().contains("<strong>newest first</strong>"));
    let add = item(r, "mutation/addReview")
        .description
        .as_ref()
        .expect("description");
    assert!(!add.as_str().contains("onerror"), "{}", add.as_str());
    let proto = item(r, "query/__proto__");
    assert_eq!(proto.name, "__proto__");
    let cube = item(r, "query/ratingCube");
    assert_eq!(cube.label.as_deref(), Some("[[[[Int]]]]"));
    assert!(cube.body.as_str().contains("<code>[[[[Int]]]]</code>"));
    let input = item(r, "type/ReviewInput").body.as_str();
    assert!(
        input.contains("<code>&quot;Great \\&quot;product\\&quot;!&quot;</code>"),
        "{input}"
    );
    let review = item(r, "type/Review").body.as_str();
    assert!(review.contains("&amp; more"), "{review}");
    assert!(review.contains("<code>constructor</code>"));

    let read = read_text(
        "type Query {\n  \"\"\"\n  <script>alert(1)</script> \"<>\n  \"\"\"\n  a(x: String = \"</code><script>\"): String\n}\n",
    );
    let body = item(reference(&read), "query/a").body.as_str();
    assert!(!body.contains("<script"), "{body}");
    assert!(body.contains("&lt;/code&gt;&lt;script&gt;"), "{body}");
}

#[test]
fn broken_schema_reports_the_syntax_error_line_and_renders_the_rest() {
    let read = read_fixture("graphql", BROKEN);
    let syntax_line = fixture_line(BROKEN, "amount: Float! =");
    let errors: Vec<&Diagnostic> = read
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "one mistake, one error: {:?}",
        messages(&read)
    );
    assert_eq!(errors[0].line, Some(syntax_line));
    assert!(errors[0].message.contains("syntax"));
    let r = reference(&read);
    assert_eq!(anchors(r, "queries"), ["query/me", "query/orders"]);
    assert!(
        anchors(r, "types-objects").contains(&"type/Refund".to_string()),
        "after the error"
    );
    assert!(anchors(r, "types-enums").contains(&"type/OrderStatus".to_string()));
}

#[test]
fn unknown_types_are_warned_at_their_line_and_shown_unlinked() {
    let read = read_fixture("graphql", BROKEN);
    let line = fixture_line(BROKEN, "address: Address");
    let warning = read
        .diagnostics
        .iter()
        .find(|d| d.message.contains("Address"))
        .expect("a warning for Address");
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.line, Some(line));
    let user = item(reference(&read), "type/User").body.as_str();
    assert!(user.contains("<code>Address</code>"));
    assert!(!user.contains("#type/Address"));
}

#[test]
fn unusable_documents_have_no_reference() {
    for text in [
        "",
        "   \n# only a comment\n",
        "{ \"openapi\": \"3.0.0\" }",
        "query { me { id } }",
    ] {
        let read = read_text(text);
        assert!(read.reference.is_none(), "{text:?}");
        assert!(!read.diagnostics.is_empty(), "{text:?}");
    }
    let read = read_text("type Query {\n  a: Int\n}\n}}} type");
    assert!(read.reference.is_some());
    assert_eq!(read.diagnostics.first().and_then(|d| d.line), Some(4));
}

#[test]
fn duplicate_permalinks_get_suffixes_with_a_warning() {
    let read =
        read_text("type Query {\n  a: Int\n  a: String\n}\ntype T { x: Int }\ntype T { y: Int }\n");
    let r = reference(&read);
    assert_eq!(anchors(r, "queries"), ["query/a", "query/a-2"]);
    assert_eq!(anchors(r, "types-objects"), ["type/T", "type/T-2"]);
    let lines: Vec<Option<usize>> = read
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("#query/a"))
        .map(|d| d.line)
        .collect();
    assert_eq!(lines, [Some(3)]);
    assert!(read
        .diagnostics
        .iter()
        .any(|d| d.line == Some(6) && d.message.contains("defined twice")));
}

#[test]
fn type_cycles_and_deep_nesting_terminate() {
    let read = read_text(
        "type Query { a: A }\ntype A { b: B, self: A }\ntype B { a: A }\ninterface I implements J { x: Int }\ninterface J implements I { x: Int }\nunion U = U | A\n",
    );
    let r = reference(&read);
    assert!(item(r, "type/A").body.as_str().contains("href=\"#type/A\""));
    assert!(item(r, "type/I").body.as_str().contains("#type/J"));
    let deep = format!(
        "type Query {{ a: {}Int{} }}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let read = read_text(&deep);
    assert!(read
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error));
    let nested = format!(
        "type Query {{ a: {}Int{} b: Int }}",
        "[".repeat(110),
        "]!".repeat(110)
    );
    let read = read_text(&nested);
    assert_eq!(
        messages(&read),
        ["Warning@Some(1): a type is wrapped in more than 100 lists; the reference leaves it out"]
    );
    assert_eq!(item(reference(&read), "query/a").label, None);
    assert!(item(reference(&read), "query/b")
        .body
        .as_str()
        .contains("<code>Int</code>"));
    let deep_value = format!(
        "type Query {{ a(x: [Int] = {}1{}): Int }}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let read = read_text(&deep_value);
    assert!(!read.diagnostics.is_empty());
}

#[test]
fn roots_declared_but_missing_or_not_objects_are_warned() {
    let read =
        read_text("schema {\n  query: Q\n  mutation: M\n}\nenum M { A }\ntype Other { a: Int }\n");
    let text = messages(&read).join("\n");
    assert!(
        text.contains("Warning@Some(2)") && text.contains("Q is not defined"),
        "{text}"
    );
    assert!(
        text.contains("Warning@Some(3)") && text.contains("M is an enum"),
        "{text}"
    );
    assert!(anchors(reference(&read), "types-enums").contains(&"type/M".to_string()));
}

#[test]
fn a_generated_schema_of_5000_types_reads_in_bounded_time() {
    let mut text = String::from("type Query {\n");
    for i in 0..5000 {
        text.push_str(&format!("  t{i}(id: ID!, first: Int = 10): [T{i}!]!\n"));
    }
    text.push_str("}\ninterface Node { id: ID! }\n");
    for i in 0..5000 {
        let next = (i + 1) % 5000;
        text.push_str(&format!(
            "\"Type {i}: links to the next one.\"\ntype T{i} implements Node {{\n  id: ID!\n  \"The next type.\"\n  next: T{next}\n  items(first: Int = 10): [T{next}!]! @deprecated(reason: \"Use `next`.\")\n  name: String\n}}\n"
        ));
    }
    let started = std::time::Instant::now();
    let parsed = apollo_parser::Parser::new(&text).parse();
    let parsing = started.elapsed();
    assert_eq!(parsed.errors().len(), 0);
    let started = std::time::Instant::now();
    let read = read_text(&text);
    let elapsed = started.elapsed();
    println!("5,000 types and 5,000 query fields ({} KB) read in {elapsed:?} (parsing alone {parsing:?})", text.len() / 1024);
    assert!(read.diagnostics.is_empty(), "{:?}", messages(&read).first());
    let r = reference(&read);
    assert_eq!(anchors(r, "queries").len(), 5000);
    assert_eq!(anchors(r, "types-objects").len(), 5000);
    assert!(item(r, "type/Node").body.as_str().contains("#type/T4999"));
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

#[test]
fn strings_are_unescaped_and_block_strings_dedented_as_the_spec_says() {
    let read = read_text(
        "type Query {\n  \"\"\"\n\n      First line \\\"\"\" quoted.\n        indented code\n      last\n\n  \"\"\"\n  a: Int\n  \"caf\\u00e9 \\\"x\\\" \\u{1F600}\"\n  b: Int\n}\n",
    );
    let r = reference(&read);
    let a = item(r, "query/a")
        .description
        .as_ref()
        .expect("a")
        .as_str()
        .to_string();
    assert!(
        a.starts_with("<p>First line &quot;&quot;&quot; quoted.\nindented code\nlast</p>")
            || a.starts_with("<p>First line \"\"\" quoted.\nindented code\nlast</p>"),
        "{a}"
    );
    let b = item(r, "query/b")
        .description
        .as_ref()
        .expect("b")
        .as_str()
        .to_string();
    assert!(
        b.contains("café") && b.contains('😀') && b.contains("&quot;x&quot;"),
        "{b}"
    );
}

#[test]
fn truncated_definitions_never_panic() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apis")
        .join(FILMS);
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let read = read_text(&text[..cut]);
            if let Some(r) = &read.reference {
                assert_eq!(r.format, "GraphQL SDL");
            }
        }
        cut += 41;
    }
    let read =
        read_text("\"bad \\q escape \\u{110000}\"\ntype Query { a: Int }\n\"\"\"never closed");
    assert!(
        read.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error),
        "{:?}",
        messages(&read)
    );
    assert!(read.reference.is_some());
}
