use crate::apis::model::{Item, Reference};
use crate::apis::{read_fixture, Read, Source};
use crate::catalog::entity::DefinitionSource;
use crate::catalog::refs::EntityRef;
use crate::diag::Severity;
use std::path::Path;
use std::time::Instant;

fn reference(read: &Read) -> &Reference {
    read.reference.as_ref().expect("a reference")
}

fn item<'r>(reference: &'r Reference, anchor: &str) -> &'r Item {
    reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.anchor == anchor)
        .unwrap_or_else(|| panic!("no item {anchor}; have {:?}", anchors(reference)))
}

fn anchors(reference: &Reference) -> Vec<&str> {
    reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.anchor.as_str())
        .collect()
}

/// Reads definition text written inline (no file), as `openapi`.
fn read_inline(text: &str) -> Read {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apis");
    let origin = DefinitionSource {
        path: None,
        display: "catalog-info.yaml".to_string(),
        first_line: 10,
        root: root.clone(),
    };
    let entity = EntityRef {
        kind: "api".into(),
        namespace: "default".into(),
        name: "inline".into(),
    };
    crate::apis::read_definition(
        "openapi",
        &Source {
            text,
            origin: &origin,
            portal_root: &root,
            entity: &entity,
        },
    )
}

#[test]
fn petstore_has_the_fixed_permalinks() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    let reference = reference(&read);
    assert_eq!(reference.format, "OpenAPI 3.0.3");
    assert_eq!(reference.title.as_deref(), Some("Swagger Petstore"));
    for anchor in [
        "operation/listPets",
        "operation/createPets",
        "operation/showPetById",
        "operation/delete-/pets/{petId}",
        "operation/getOwner",
        "schema/Pet",
        "schema/Pets",
        "schema/Error",
        "security/api_key",
        "security/petstore_auth",
    ] {
        item(reference, anchor);
    }
    let ids: Vec<&str> = reference.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "tag/pets",
            "tag/owners",
            "operations-untagged",
            "security-schemes",
            "schemas"
        ]
    );
    let pets = &reference.sections[0];
    let order: Vec<&str> = pets.items.iter().map(|i| i.anchor.as_str()).collect();
    assert_eq!(
        order,
        [
            "operation/listPets",
            "operation/createPets",
            "operation/showPetById",
            "operation/delete-/pets/{petId}"
        ]
    );
    let deleted = item(reference, "operation/delete-/pets/{petId}");
    assert!(deleted.deprecated);
    assert_eq!(deleted.badge.as_deref(), Some("delete"));
    assert_eq!(reference.servers.len(), 2);
    assert!(reference.servers[0]
        .details
        .as_str()
        .contains("<code>region</code>"));
    let labels: Vec<&str> = reference.facts.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Contact",
            "Email",
            "Licence",
            "Terms of service",
            "Documentation"
        ]
    );
    let real: Vec<_> = read
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(real.is_empty(), "{real:?}");
}

#[test]
fn operations_show_parameters_bodies_responses_and_security() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    let reference = reference(&read);
    let list = item(reference, "operation/listPets");
    let body = list.body.as_str();
    assert!(body.contains("<code>limit</code>"), "{body}");
    // The parameter `$ref` to components/parameters is followed.
    assert!(
        body.contains("<code>status</code>") && body.contains("<code>sold</code>"),
        "{body}"
    );
    assert!(body.contains("default <code>20</code>"), "{body}");
    assert!(body.contains("<code>x-next</code>"), "{body}");
    assert!(body.contains("href=\"#schema/Pets\""), "{body}");
    assert!(body.contains("href=\"#security/api_key\""), "{body}");
    assert!(list.search_text.contains("limit") && list.search_text.contains("pets"));
    let show = item(reference, "operation/showPetById");
    // The path-level parameter is merged in; the shared error response is followed.
    assert!(show.body.as_str().contains("<code>petId</code>"));
    assert!(show.body.as_str().contains("href=\"#schema/Error\""));
    let create = item(reference, "operation/createPets");
    let body = create.body.as_str();
    assert!(body.contains("Request body (required)"), "{body}");
    assert!(body.contains("Example: A dog"), "{body}");
    assert!(
        body.contains("Callbacks") && body.contains("{$request.body#/callbackUrl}"),
        "{body}"
    );
    assert!(body.contains("<code>write:pets</code>"), "{body}");
    // The top-level named schema of a body is expanded once: Pet's properties show.
    assert!(body.contains("<code>name</code>"), "{body}");
    let health = item(reference, "operation/health");
    assert!(health.body.as_str().contains("No authentication needed."));
}

#[test]
fn schema_trees_show_constraints_and_flags() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    let reference = reference(&read);
    let pet = item(reference, "schema/Pet");
    let body = pet.body.as_str();
    for needle in [
        "integer (int64)",
        "read-only",
        "nullable",
        "1–64 characters",
        "matches <code>^[a-z]+$</code>",
        "example <code>Rex</code>",
        "deprecated",
        "&gt; 0",
        "≤ 200",
        "multiple of 0.5",
        "other properties",
        "badge required",
    ] {
        assert!(body.contains(needle), "{needle} missing in {body}");
    }
    let pets = item(reference, "schema/Pets").body.as_str();
    assert!(
        pets.contains("array of ") && pets.contains("href=\"#schema/Pet\""),
        "{pets}"
    );
    assert!(
        pets.contains("at most 100 items") && pets.contains("unique items"),
        "{pets}"
    );
    let animal = item(reference, "schema/Animal").body.as_str();
    assert!(animal.contains("One of"), "{animal}");
    assert!(
        animal.contains("“kind”") && animal.contains("href=\"#schema/Error\""),
        "{animal}"
    );
}

#[test]
fn ref_chains_resolve_and_cycles_end_at_links() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    let reference = reference(&read);
    let a = item(reference, "schema/A").body.as_str();
    assert!(
        a.contains("href=\"#schema/B\"") && a.contains("href=\"#schema/C\""),
        "{a}"
    );
    assert!(
        a.contains("<code>c</code>"),
        "the chain ends at C's properties: {a}"
    );
    let node = item(reference, "schema/Node").body.as_str();
    assert!(
        node.contains("array of ") && node.contains("href=\"#schema/Node\""),
        "{node}"
    );
    let husband = item(reference, "schema/Husband").body.as_str();
    assert!(husband.contains("href=\"#schema/Wife\""), "{husband}");
    assert!(
        !husband.contains("<code>husband</code>"),
        "named refs are not expanded: {husband}"
    );
}

#[test]
fn external_file_refs_resolve() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    let reference = reference(&read);
    let owner = item(reference, "operation/getOwner").body.as_str();
    assert!(owner.contains("Someone who owns pets."), "{owner}");
    assert!(owner.contains("string (uuid)"), "{owner}");
    // owner.yaml refers on to address.yaml#/Address.
    assert!(owner.contains("<code>street</code>"), "{owner}");
    let pet = item(reference, "schema/Pet").body.as_str();
    assert!(pet.contains("<code>owner</code>"));
    let warnings: Vec<_> = read.diagnostics.iter().map(|d| &d.message).collect();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn hostile_text_is_escaped() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    let reference = reference(&read);
    let description = reference
        .description
        .as_ref()
        .expect("description")
        .as_str();
    assert!(!description.contains("<script"), "{description}");
    let evil = item(reference, "operation/evil\"<op>");
    assert_eq!(evil.name, "/\"<evil>\"");
    let all = format!(
        "{}{}",
        evil.body.as_str(),
        evil.description.as_ref().map(|d| d.as_str()).unwrap_or("")
    );
    assert!(
        !all.contains("<script") && !all.contains("onerror") && !all.contains("onmouseover"),
        "{all}"
    );
    assert!(all.contains("<code>&quot;&lt;q&gt;</code>"), "{all}");
    let hostile = item(reference, "schema/\"<Hostile>");
    assert!(!hostile.body.as_str().contains("<script"));
    assert!(!hostile
        .description
        .as_ref()
        .map_or("", |d| d.as_str())
        .contains("<script"));
}

#[test]
fn swagger_2_reads_definitions_body_parameters_and_produces() {
    let read = read_fixture("openapi", "repos/legacy-store/swagger.json");
    let reference = reference(&read);
    assert_eq!(reference.format, "Swagger 2.0");
    let urls: Vec<&str> = reference.servers.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://petstore.example.com/v2",
            "http://petstore.example.com/v2"
        ]
    );
    let add = item(reference, "operation/addPet").body.as_str();
    assert!(add.contains("Request body (required)"), "{add}");
    assert!(add.contains("<code>application/xml</code>"), "{add}");
    assert!(
        add.contains("<code>photoUrls</code>"),
        "the body's schema expands: {add}"
    );
    assert!(add.contains("href=\"#schema/Category\""), "{add}");
    let find = item(reference, "operation/findPetsByStatus").body.as_str();
    assert!(find.contains("array of string"), "{find}");
    assert!(
        find.contains("Media types: application/xml, application/json"),
        "{find}"
    );
    assert!(
        find.contains("<code>X-Rate-Limit</code>") && find.contains("integer (int32)"),
        "{find}"
    );
    assert!(find.contains("Example (application/json)"), "{find}");
    let upload = item(reference, "operation/uploadFile").body.as_str();
    assert!(
        upload.contains("<code>additionalMetadata</code>")
            && upload.contains("multipart/form-data"),
        "{upload}"
    );
    item(reference, "schema/Pet");
    item(reference, "security/petstore_auth");
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
}

#[test]
fn openapi_3_1_nullable_types_and_webhooks() {
    let read = read_fixture("openapi", "repos/modern-store/openapi.yaml");
    let reference = reference(&read);
    assert_eq!(reference.format, "OpenAPI 3.1.0");
    let pet = item(reference, "schema/Pet").body.as_str();
    assert!(pet.contains("<code>nickname</code>"), "{pet}");
    let nickname_row = pet.split("<code>nickname</code>").nth(1).unwrap_or("");
    let nickname_row = nickname_row.split("</tr>").next().unwrap_or("");
    assert!(
        nickname_row.contains("string") && nickname_row.contains("nullable"),
        "{nickname_row}"
    );
    assert!(!nickname_row.contains("null |"), "{nickname_row}");
    assert!(
        pet.contains("&gt; 0") && pet.contains("&lt; 1000000"),
        "{pet}"
    );
    assert!(
        pet.contains("Items in order") && pet.contains("const pet"),
        "{pet}"
    );
    assert!(pet.contains("<code>^x-</code>"), "{pet}");
    let webhooks = reference
        .sections
        .iter()
        .find(|s| s.id == "webhooks")
        .expect("webhooks");
    let hooks: Vec<&str> = webhooks.items.iter().map(|i| i.anchor.as_str()).collect();
    assert_eq!(hooks, ["operation/newPetHook", "operation/delete-petGone"]);
    let licence = reference
        .facts
        .iter()
        .find(|f| f.label == "Licence")
        .expect("licence");
    assert_eq!(
        licence.href.as_deref(),
        Some("https://spdx.org/licenses/Apache-2.0.html")
    );
}

#[test]
fn broken_and_escaping_refs_are_diagnostics_on_their_lines() {
    let read = read_fixture("openapi", "repos/broken-openapi/openapi.yaml");
    let reference = reference(&read);
    item(reference, "operation/listThings");
    item(reference, "operation/getSecrets");
    item(reference, "schema/Thing");
    let line_of = |needle: &str| {
        read.diagnostics
            .iter()
            .find(|d| d.message.contains(needle))
            .unwrap_or_else(|| panic!("no diagnostic about {needle}: {:?}", read.diagnostics))
            .line
    };
    assert_eq!(line_of("#/components/parameters/Missing"), Some(10));
    assert_eq!(line_of("#/components/schemas/Nowhere"), Some(17));
    assert_eq!(line_of("../../../etc/passwd"), Some(27));
    assert_eq!(line_of("#/components/schemas/AlsoMissing"), Some(34));
    assert_eq!(line_of("https://example.com/schemas/thing.json"), Some(36));
    let escaping = read
        .diagnostics
        .iter()
        .find(|d| d.message.contains("passwd"))
        .expect("escaping");
    assert!(
        escaping.message.contains("leaves the repository root"),
        "{}",
        escaping.message
    );
    assert_eq!(
        read.diagnostics
            .iter()
            .filter(|d| d.message.contains("Nowhere"))
            .count(),
        1,
        "one warning per ref"
    );
    let secrets = item(reference, "operation/getSecrets").body.as_str();
    assert!(
        secrets.contains("../../../etc/passwd") && !secrets.contains("root:"),
        "{secrets}"
    );
}

#[test]
fn unsupported_versions_show_the_source() {
    let read = read_fixture("openapi", "repos/unsupported-openapi/openapi.yaml");
    assert!(read.reference.is_none());
    assert_eq!(read.diagnostics.len(), 1);
    let diagnostic = &read.diagnostics[0];
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.line, Some(1));
    assert!(
        diagnostic
            .message
            .contains("OpenAPI 4.0.0 is not supported"),
        "{}",
        diagnostic.message
    );
    let broken = read_inline("openapi: 3.0.0\ninfo: [unclosed\n");
    assert!(broken.reference.is_none());
    assert_eq!(broken.diagnostics[0].severity, Severity::Error);
}

#[test]
fn inline_definitions_refuse_file_refs_and_find_json_lines() {
    let text = r##"{
  "openapi": "3.0.0",
  "info": {"title": "Inline", "version": "1"},
  "paths": {
    "/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}},
    "/b": {"get": {"operationId": "a", "responses": {"200": {"description": "ok",
      "content": {"application/json": {"schema": {"$ref": "./other.yaml"}}}}}}}
  }
}"##;
    let read = read_inline(text);
    let reference = reference(&read);
    assert_eq!(anchors(reference), ["operation/a", "operation/a-2"]);
    let duplicate = read
        .diagnostics
        .iter()
        .find(|d| d.message.contains("#operation/a-2"))
        .expect("duplicate warning");
    // Line 6 of the text, which starts on line 10 of the descriptor.
    assert_eq!(duplicate.line, Some(15));
    let file_ref = read
        .diagnostics
        .iter()
        .find(|d| d.message.contains("./other.yaml"))
        .expect("file ref warning");
    assert!(
        file_ref.message.contains("written in its descriptor"),
        "{}",
        file_ref.message
    );
    assert_eq!(file_ref.line, Some(16));
}

#[test]
fn self_referencing_inline_refs_terminate() {
    let text = r##"openapi: 3.0.0
info: {title: Cycles, version: "1"}
paths:
  /x:
    get:
      operationId: x
      parameters:
        - $ref: '#/paths/~1x/get/parameters/0'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  self:
                    $ref: '#/paths/~1x/get/responses/200/content/application~1json/schema'
"##;
    let read = read_inline(text);
    let reference = reference(&read);
    let x = item(reference, "operation/x").body.as_str();
    assert!(x.contains("<code>self</code>"), "{x}");
    assert!(
        read.diagnostics.iter().any(|d| d.message.contains("cycle")),
        "{:?}",
        read.diagnostics
    );
}

/// A definition of `operations` operations, each with parameters and a response of a named
/// schema, `padding` characters of description each.
fn generated(operations: usize, padding: usize) -> String {
    let mut text =
        String::from("openapi: 3.0.3\ninfo:\n  title: Generated\n  version: '1'\npaths:\n");
    let words = "lorem ipsum dolor sit amet ".repeat(padding / 27 + 1);
    for i in 0..operations {
        text.push_str(&format!(
            "  /things{i}/{{id}}:\n    get:\n      operationId: getThing{i}\n      tags: [t{}]\n      summary: Get thing {i}\n      description: {words}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string, format: uuid}}}}\n        - {{name: limit, in: query, schema: {{type: integer, maximum: 100}}}}\n      responses:\n        '200':\n          description: The thing\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Thing{}'}}\n        '404':\n          description: Not found\n",
            i % 7,
            i % 50
        ));
    }
    text.push_str("components:\n  schemas:\n");
    for i in 0..50 {
        text.push_str(&format!(
            "    Thing{i}:\n      type: object\n      required: [id]\n      properties:\n        id: {{type: string, format: uuid, description: The id.}}\n        name: {{type: string, maxLength: 64}}\n        next: {{$ref: '#/components/schemas/Thing{}'}}\n",
            (i + 1) % 50
        ));
    }
    text
}

#[test]
fn a_5_mb_definition_reads_in_bounded_time() {
    let text = generated(5_000, 700);
    assert!(text.len() > 5_000_000, "{}", text.len());
    let start = Instant::now();
    let read = read_inline(&text);
    let elapsed = start.elapsed();
    println!("{} bytes, 5,000 operations: {elapsed:?}", text.len());
    item(reference(&read), "operation/getThing4999");
    assert!(elapsed.as_secs() < 10, "{elapsed:?}");
    // The same as JSON, through serde_json.
    let json = serde_json::to_string(
        &crate::yaml::parse_documents(&text)[0]
            .as_ref()
            .expect("yaml")
            .value,
    )
    .expect("json");
    let start = Instant::now();
    let read = read_inline(&json);
    println!("{} bytes of JSON: {:?}", json.len(), start.elapsed());
    item(reference(&read), "operation/getThing4999");
}

#[test]
#[ignore = "a timing, run by hand with --release --ignored --nocapture"]
fn time_per_operation() {
    let text = generated(50, 200);
    let start = Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        let read = read_inline(&text);
        assert!(read.reference.is_some());
    }
    let per_operation = start.elapsed() / (rounds * 50);
    let start = Instant::now();
    for _ in 0..rounds {
        assert!(!crate::yaml::parse_documents(&text).is_empty());
    }
    let parsing = start.elapsed() / (rounds * 50);
    println!(
        "{per_operation:?} per operation (schemas included), of which YAML parsing {parsing:?}"
    );
}

#[test]
#[ignore = "prints a body, run by hand"]
fn print_body() {
    let read = read_fixture("openapi", "repos/petstore/openapi.yaml");
    println!(
        "{}",
        item(reference(&read), "operation/listPets").body.as_str()
    );
}
