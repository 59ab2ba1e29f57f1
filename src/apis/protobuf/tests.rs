//! Tests of the protobuf reader on the fixture repositories.

use crate::apis::model::{Item, ItemKind, Reference};
use crate::apis::{read_fixture, Read};
use crate::diag::Severity;

fn greeter() -> (Reference, Read) {
    let mut read = read_fixture("grpc", "repos/greeter/proto/acme/greeter/v1/greeter.proto");
    let reference = read.reference.take().expect("greeter reads");
    (reference, read)
}

fn item<'r>(reference: &'r Reference, anchor: &str) -> &'r Item {
    reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.anchor == anchor)
        .unwrap_or_else(|| panic!("no item {anchor} in {:?}", anchors(reference)))
}

fn anchors(reference: &Reference) -> Vec<&str> {
    reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.anchor.as_str())
        .collect()
}

fn messages(read: &Read) -> Vec<String> {
    read.diagnostics.iter().map(|d| format!("{d:?}")).collect()
}

#[test]
fn greeter_has_the_fixed_permalinks_in_sections() {
    let (reference, read) = greeter();
    assert!(read.diagnostics.is_empty(), "{:?}", messages(&read));
    assert_eq!(reference.format, "Protocol Buffers (proto3)");
    let all = anchors(&reference);
    for anchor in [
        "rpc/acme.greeter.v1.Greeter/SayHello",
        "rpc/acme.greeter.v1.Greeter/StreamGreetings",
        "rpc/acme.greeter.v1.Greeter/CollectNames",
        "rpc/acme.greeter.v1.Greeter/Chat",
        "message/acme.greeter.v1.HelloRequest",
        "message/acme.greeter.v1.ChatMessage.Sticker",
        "message/acme.greeter.v1.ChatMessage.Sticker.Pack",
        "enum/acme.greeter.v1.HelloRequest.Tone",
        "enum/acme.greeter.v1.ServingStatus",
        "message/acme.common.v1.Money",
        "enum/acme.common.v1.Rounding",
    ] {
        assert!(all.contains(&anchor), "{anchor} missing from {all:?}");
    }
    assert!(
        !all.iter().any(|a| a.contains("LabelsEntry")),
        "map entries are not items: {all:?}"
    );
    assert!(
        !all.contains(&"message/acme.common.v1.Unused"),
        "imported types nobody uses are not listed"
    );
    let ids: Vec<&str> = reference.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "service/acme.greeter.v1.Greeter",
            "messages",
            "enums",
            "imported"
        ]
    );
    assert_eq!(reference.sections[0].title, "Service Greeter");
    let messages: Vec<&str> = reference.sections[1]
        .items
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "HelloRequest",
            "HelloReply",
            "ChatMessage",
            "ChatMessage.Sticker",
            "ChatMessage.Sticker.Pack",
            "TipRequest"
        ]
    );
}

#[test]
fn rpcs_have_streaming_badges_signatures_and_options() {
    let (reference, _) = greeter();
    let badge = |anchor: &str| item(&reference, anchor).badge.clone().unwrap_or_default();
    assert_eq!(badge("rpc/acme.greeter.v1.Greeter/SayHello"), "unary");
    assert_eq!(
        badge("rpc/acme.greeter.v1.Greeter/StreamGreetings"),
        "server stream"
    );
    assert_eq!(
        badge("rpc/acme.greeter.v1.Greeter/CollectNames"),
        "client stream"
    );
    assert_eq!(badge("rpc/acme.greeter.v1.Greeter/Chat"), "bidi stream");
    let stream = item(&reference, "rpc/acme.greeter.v1.Greeter/StreamGreetings");
    assert_eq!(
        stream.label.as_deref(),
        Some("(HelloRequest) returns (stream HelloReply)")
    );
    assert_eq!(stream.kind, ItemKind::Rpc);
    let body = stream.body.as_str();
    assert!(
        body.contains("href=\"#message/acme.greeter.v1.HelloReply\""),
        "{body}"
    );
    let hello = item(&reference, "rpc/acme.greeter.v1.Greeter/SayHello");
    assert!(hello.body.as_str().contains("idempotency_level"));
    assert!(hello.body.as_str().contains("NO_SIDE_EFFECTS"));
    assert!(!hello.deprecated);
    assert!(
        hello.search_text.contains("HelloRequest"),
        "{}",
        hello.search_text
    );
    let tip = item(&reference, "rpc/acme.greeter.v1.Greeter/Tip");
    assert!(tip.deprecated);
    assert!(
        tip.body
            .as_str()
            .contains("<code>google.protobuf.Empty</code>"),
        "well-known types are shown unlinked: {}",
        tip.body.as_str()
    );
}

#[test]
fn fields_show_labels_maps_oneofs_and_links() {
    let (reference, _) = greeter();
    let request = item(&reference, "message/acme.greeter.v1.HelloRequest");
    let body = request.body.as_str();
    assert!(body.contains("<code>repeated</code>"), "{body}");
    assert!(
        body.contains("<code>map&lt;string, string&gt;</code>"),
        "{body}"
    );
    assert!(body.contains("<code>optional</code>"), "{body}");
    assert!(
        body.contains("href=\"#enum/acme.greeter.v1.HelloRequest.Tone\""),
        "{body}"
    );
    assert!(body.contains("Reserved numbers: 7, 9 to 11"), "{body}");
    assert!(body.contains("Reserved names: legacy_name"), "{body}");
    assert!(body.contains("At most 100."), "trailing comment: {body}");
    assert!(request.search_text.contains("languages"));
    let chat = item(&reference, "message/acme.greeter.v1.ChatMessage")
        .body
        .as_str();
    assert_eq!(
        chat.matches("<code>oneof content</code>").count(),
        2,
        "{chat}"
    );
    assert!(
        chat.contains("href=\"#message/acme.greeter.v1.ChatMessage.Sticker\""),
        "{chat}"
    );
    let tip = item(&reference, "message/acme.greeter.v1.TipRequest")
        .body
        .as_str();
    assert!(
        tip.contains("href=\"#message/acme.common.v1.Money\""),
        "imported type linked: {tip}"
    );
    assert!(
        tip.contains("map&lt;string, acme.common.v1.Money&gt;"),
        "{tip}"
    );
    let reply = item(&reference, "message/acme.greeter.v1.HelloReply")
        .body
        .as_str();
    assert!(
        reply.contains("<code>google.protobuf.Timestamp</code>"),
        "{reply}"
    );
    assert!(reply.contains("badge deprecated"), "{reply}");
    let money = item(&reference, "message/acme.common.v1.Money");
    assert!(
        money
            .body
            .as_str()
            .contains("href=\"#enum/acme.common.v1.Rounding\""),
        "types of imported types are listed too"
    );
    let tone = item(&reference, "enum/acme.greeter.v1.HelloRequest.Tone")
        .body
        .as_str();
    assert!(
        tone.contains("TONE_CASUAL") && tone.contains("badge deprecated"),
        "{tone}"
    );
}

#[test]
fn comments_are_markdown_and_sanitised() {
    let (reference, _) = greeter();
    let description = reference.description.as_ref().expect("file comment");
    assert!(description.as_str().contains("<strong>idempotent</strong>"));
    let service = &reference.sections[0];
    assert!(service
        .description
        .as_ref()
        .is_some_and(|d| d.as_str().contains("Greets people")));
    let hello = item(&reference, "rpc/acme.greeter.v1.Greeter/SayHello");
    let text = hello.description.as_ref().expect("description").as_str();
    assert!(text.contains("<code>name</code>"), "{text}");
    assert!(!text.contains("<p> "), "comment lines are dedented: {text}");
    let chat = item(&reference, "rpc/acme.greeter.v1.Greeter/Chat");
    let text = chat.description.as_ref().expect("description").as_str();
    assert!(!text.contains("<script"), "{text}");
    let tip = item(&reference, "message/acme.greeter.v1.TipRequest");
    let text = tip.description.as_ref().expect("description").as_str();
    assert!(!text.contains("a\"<>b"), "{text}");
    assert!(text.contains("&lt;&gt;"), "{text}");
    let facts: Vec<(&str, &str)> = reference
        .facts
        .iter()
        .map(|f| (f.label.as_str(), f.text.as_str()))
        .collect();
    assert!(facts.contains(&("Package", "acme.greeter.v1")), "{facts:?}");
    assert!(
        facts.contains(&("java_package", "com.acme.greeter.v1")),
        "{facts:?}"
    );
    assert!(facts
        .iter()
        .any(|(l, t)| *l == "Imports" && t.contains("acme/common/v1/money.proto")));
}

#[test]
fn proto2_without_package() {
    let mut read = read_fixture("grpc", "repos/legacy-rpc/legacy.proto");
    let reference = read.reference.take().expect("legacy reads");
    assert_eq!(reference.format, "Protocol Buffers (proto2)");
    let all = anchors(&reference);
    for anchor in [
        "message/Foo",
        "message/Foo.Location",
        "enum/State",
        "rpc/Inventory/GetFoo",
        "rpc/Inventory/GetFoo-2",
    ] {
        assert!(all.contains(&anchor), "{anchor} missing from {all:?}");
    }
    let duplicate: Vec<_> = read
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("more than once"))
        .collect();
    assert_eq!(duplicate.len(), 1, "{:?}", messages(&read));
    assert_eq!(duplicate[0].severity, Severity::Warning);
    assert_eq!(duplicate[0].line, Some(45));
    let foo = item(&reference, "message/Foo").body.as_str();
    assert!(foo.contains("<code>required</code>"), "{foo}");
    assert!(foo.contains("&lt;unnamed&gt;"), "default escaped: {foo}");
    assert!(!foo.contains("<unnamed>"), "{foo}");
    assert!(foo.contains("Extensions: 100 to max"), "{foo}");
    assert!(foo.contains("href=\"#message/Foo.Location\""), "{foo}");
    let request = item(&reference, "message/GetFooRequest").body.as_str();
    assert!(request.contains("<code>ACTIVE</code>"), "{request}");
    assert!(request.contains("href=\"#enum/State\""), "{request}");
}

#[test]
fn a_syntax_error_is_an_error_at_its_line() {
    let read = read_fixture("grpc", "repos/broken-proto/protos/syntax-error.proto");
    assert!(read.reference.is_none());
    assert_eq!(read.diagnostics.len(), 1, "{:?}", messages(&read));
    let error = &read.diagnostics[0];
    assert_eq!(error.severity, Severity::Error);
    // `string id = 1` lacks its `;`: the parser finds out at the next line's `int32`.
    assert_eq!(error.line, Some(11), "{:?}", messages(&read));
    assert!(
        error.message.contains("expected ';'"),
        "{:?}",
        messages(&read)
    );
}

#[test]
fn missing_and_escaping_imports_are_diagnostics() {
    let mut read = read_fixture("grpc", "repos/broken-proto/protos/imports.proto");
    let reference = read.reference.take().expect("reads despite imports");
    assert!(anchors(&reference).contains(&"message/broken.v1.Holder"));
    assert_eq!(read.diagnostics.len(), 2, "{:?}", messages(&read));
    let find = |text: &str| {
        read.diagnostics
            .iter()
            .find(|d| d.message.contains(text))
            .unwrap_or_else(|| panic!("no diagnostic about {text}"))
    };
    let missing = find("broken/v1/missing.proto");
    assert_eq!(missing.severity, Severity::Warning);
    assert_eq!(missing.line, Some(5));
    assert!(missing.message.contains("broken/v1/missing.proto"));
    let escaping = find("../../x.proto");
    assert_eq!(escaping.severity, Severity::Error);
    assert_eq!(escaping.line, Some(6));
    assert!(escaping.message.contains("../../x.proto"));
}

#[test]
fn a_large_generated_proto_reads_in_bounded_time() {
    let mut text = String::from("syntax = \"proto3\";\npackage big.v1;\nservice Big {\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "  // Gets {i}.\n  rpc Get{i}(M{i}) returns (M{});\n",
            (i + 1) % 2000
        ));
    }
    text.push_str("}\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "// Message {i}.\nmessage M{i} {{\n  string id = 1;\n  M{} next = 2;\n  repeated M{i} self = 3;\n  map<string, M{}> by_key = 4;\n  oneof choice {{ int32 a = 5; string b = 6; }}\n}}\n",
            (i + 1) % 2000,
            (i + 7) % 2000
        ));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("big");
    std::fs::create_dir_all(&repo).expect("repo");
    std::fs::write(repo.join("big.proto"), &text).expect("write");
    let portal = dir.path().canonicalize().expect("canonical");
    let origin = crate::catalog::entity::DefinitionSource {
        path: Some(portal.join("big/big.proto")),
        display: "big/big.proto".into(),
        first_line: 1,
        root: portal.join("big"),
    };
    let entity = crate::catalog::refs::EntityRef {
        kind: "api".into(),
        namespace: "default".into(),
        name: "big".into(),
    };
    let source = crate::apis::Source {
        text: &text,
        origin: &origin,
        portal_root: &portal,
        entity: &entity,
    };
    let started = std::time::Instant::now();
    let read = crate::apis::read_definition("grpc", &source);
    let elapsed = started.elapsed();
    println!("2,000 messages and 2,000 RPCs read in {elapsed:?}");
    let reference = read.reference.expect("reads");
    assert_eq!(anchors(&reference).len(), 4000);
    assert!(elapsed.as_secs() < 5, "{elapsed:?}");
}

#[test]
fn import_cycles_terminate_and_unknown_types_warn() {
    let mut read = read_fixture("grpc", "repos/broken-proto/protos/cycle-a.proto");
    let reference = read.reference.take().expect("reads");
    let all = anchors(&reference);
    assert!(all.contains(&"message/cycle.v1.A"), "{all:?}");
    assert!(all.contains(&"message/cycle.v1.B"), "{all:?}");
    let a = item(&reference, "message/cycle.v1.A").body.as_str();
    assert!(a.contains("href=\"#message/cycle.v1.B\""), "{a}");
    assert_eq!(read.diagnostics.len(), 1, "{:?}", messages(&read));
    let unknown = &read.diagnostics[0];
    assert!(unknown.message.contains("Unknown"), "{:?}", messages(&read));
    assert_eq!(unknown.line, Some(10));
    assert_eq!(unknown.severity, Severity::Warning);
}

#[test]
fn http_rules_are_shown_as_written() {
    let (reference, _) = greeter();
    let hello = item(&reference, "rpc/acme.greeter.v1.Greeter/SayHello")
        .body
        .as_str();
    assert!(hello.contains("(google.api.http)"), "{hello}");
    assert!(hello.contains("/v1/hello/{name}"), "{hello}");
}

#[test]
fn deep_nesting_is_cut_with_a_warning() {
    let depth = 80;
    let mut text = String::from("syntax = \"proto3\";\npackage deep;\n");
    for level in 0..depth {
        text.push_str(&format!("message L{level} {{\n"));
    }
    text.push_str(&"}\n".repeat(depth));
    let dir = tempfile::tempdir().expect("tempdir");
    let portal = dir.path().canonicalize().expect("canonical");
    let origin = crate::catalog::entity::DefinitionSource {
        path: None,
        display: "deep.proto".into(),
        first_line: 1,
        root: portal.clone(),
    };
    let entity = crate::catalog::refs::EntityRef {
        kind: "api".into(),
        namespace: "default".into(),
        name: "deep".into(),
    };
    let source = crate::apis::Source {
        text: &text,
        origin: &origin,
        portal_root: &portal,
        entity: &entity,
    };
    let read = crate::apis::read_definition("grpc", &source);
    let reference = read.reference.as_ref().expect("reads");
    let count = anchors(reference).len();
    assert!(count > 60 && count < depth, "{count}");
    assert!(
        read.diagnostics
            .iter()
            .any(|d| d.message.contains("nested more than")),
        "{:?}",
        messages(&read)
    );
}
