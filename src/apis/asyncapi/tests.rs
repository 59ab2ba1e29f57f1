use crate::apis::model::{Item, ItemKind, Reference};
use crate::apis::{read_fixture, Read};
use crate::diag::Severity;

fn read(file: &str) -> Read {
    read_fixture("asyncapi", file)
}

fn reference(read: &Read) -> &Reference {
    read.reference.as_ref().expect("a reference")
}

fn anchors(reference: &Reference) -> Vec<&str> {
    reference
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.anchor.as_str()))
        .collect()
}

fn item<'r>(reference: &'r Reference, anchor: &str) -> &'r Item {
    reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.anchor == anchor)
        .unwrap_or_else(|| panic!("no item {anchor} in {:?}", anchors(reference)))
}

fn section_ids(reference: &Reference) -> Vec<&str> {
    reference.sections.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn v2_has_every_permalink_in_its_section() {
    let read = read("repos/events-v2/events.yaml");
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let reference = reference(&read);
    assert_eq!(reference.format, "AsyncAPI 2.6.0");
    assert_eq!(
        reference.title.as_deref(),
        Some("Accounts and Streetlights Events")
    );
    assert_eq!(reference.version.as_deref(), Some("1.4.0"));
    let description = reference.description.as_ref().expect("description");
    assert!(description.as_str().contains("<strong>accounts</strong>"));
    assert_eq!(
        section_ids(reference),
        ["channels", "operations", "messages", "schemas"]
    );
    assert_eq!(
        anchors(reference),
        [
            "channel/user/signedup",
            "channel/user/updated",
            "channel/user/deleted",
            "channel/smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured",
            "channel/smartylighting.streetlights.1.0.action.{streetlightId}.turn.on",
            "operation/onUserSignedUp",
            "operation/updateUser",
            "operation/subscribe-user/deleted",
            "operation/receiveLightMeasurement",
            "operation/turnOn",
            "message/UserSignedUp",
            "message/UserUpdated",
            "message/UserRenamed",
            "message/LightMeasured",
            "message/TurnOnOff",
            "schema/User",
            "schema/lightMeasuredPayload",
            "schema/turnOnOffPayload",
            "schema/sentAt",
        ]
    );
    let facts: Vec<(&str, &str)> = reference
        .facts
        .iter()
        .map(|f| (f.label.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        facts,
        [
            ("Contact", "Accounts team (accounts@example.com)"),
            ("Licence", "Apache 2.0"),
            ("Terms of service", "https://example.com/terms"),
            ("Default content type", "application/json"),
            ("ID", "urn:com:example:accounts:events"),
            ("External docs", "Event catalogue"),
            ("Tags", "users"),
        ]
    );
    assert_eq!(
        reference.facts[0].href.as_deref(),
        Some("https://example.com/teams/accounts")
    );
}

#[test]
fn v2_servers_keep_url_protocol_variables_and_bindings() {
    let read = read("repos/events-v2/events.yaml");
    let servers = &reference(&read).servers;
    assert_eq!(servers.len(), 2);
    let production = &servers[0];
    assert_eq!(production.name.as_deref(), Some("production"));
    assert_eq!(production.url, "kafka.example.com:{port}");
    assert_eq!(production.protocol.as_deref(), Some("kafka 3.5"));
    let details = production.details.as_str();
    for part in [
        "<code>port</code>",
        "<code>9093</code>",
        "schemaRegistryUrl",
        "saslScram",
        "scramSha256",
    ] {
        assert!(details.contains(part), "{part} in {details}");
    }
    assert_eq!(servers[1].protocol.as_deref(), Some("mqtt"));
    assert_eq!(servers[1].url, "mqtt://test.mosquitto.org:{port}");
}

#[test]
fn v2_operations_link_their_channel_and_messages() {
    let read = read("repos/events-v2/events.yaml");
    let reference = reference(&read);
    let signed_up = item(reference, "operation/onUserSignedUp");
    assert_eq!(signed_up.kind, ItemKind::Operation);
    assert_eq!(signed_up.badge.as_deref(), Some("subscribe"));
    assert_eq!(signed_up.name, "user/signedup");
    assert_eq!(signed_up.label.as_deref(), Some("onUserSignedUp"));
    assert_eq!(signed_up.summary.as_deref(), Some("A user signed up."));
    let body = signed_up.body.as_str();
    assert!(body.contains("href=\"#channel/user/signedup\""), "{body}");
    assert!(body.contains("href=\"#message/UserSignedUp\""), "{body}");
    assert!(
        body.contains("<code>kafka</code>"),
        "the trait is named: {body}"
    );
    assert!(
        body.contains("groupId"),
        "the trait's bindings apply: {body}"
    );
    for word in [
        "user/signedup",
        "onUserSignedUp",
        "subscribe",
        "UserSignedUp",
        "displayName",
        "email",
    ] {
        assert!(
            signed_up.search_text.contains(word),
            "{word} in {}",
            signed_up.search_text
        );
    }

    let update = item(reference, "operation/updateUser");
    assert_eq!(update.badge.as_deref(), Some("publish"));
    let body = update.body.as_str();
    assert!(body.contains("One of these messages"), "{body}");
    assert!(body.contains("href=\"#message/UserUpdated\""), "{body}");
    assert!(body.contains("href=\"#message/UserRenamed\""), "{body}");
    assert!(body.contains("application/avro"), "{body}");

    let deleted = item(reference, "operation/subscribe-user/deleted");
    assert_eq!(deleted.label, None);
    let body = deleted.body.as_str();
    assert!(
        body.contains("<details"),
        "an inline message is shown in full: {body}"
    );
    assert!(body.contains("userDeleted"), "{body}");
    assert!(!body.contains("href=\"#message/"), "{body}");
}

#[test]
fn v2_channels_show_parameters_operations_and_messages() {
    let read = read("repos/events-v2/events.yaml");
    let reference = reference(&read);
    let measured = item(
        reference,
        "channel/smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured",
    );
    assert_eq!(measured.kind, ItemKind::Channel);
    let body = measured.body.as_str();
    assert!(body.contains("<code>streetlightId</code>"), "{body}");
    assert!(body.contains("$message.payload#/streetlightId"), "{body}");
    assert!(
        body.contains("href=\"#operation/receiveLightMeasurement\""),
        "{body}"
    );
    assert!(body.contains("href=\"#message/LightMeasured\""), "{body}");
    assert!(measured.search_text.contains("streetlightId"));
    let signed_up = item(reference, "channel/user/signedup");
    let body = signed_up.body.as_str();
    assert!(
        body.contains("accounts.user.signedup"),
        "channel bindings: {body}"
    );
    assert!(body.contains("<code>production</code>"), "servers: {body}");
}

#[test]
fn v2_messages_show_traits_payload_examples_and_bindings() {
    let read = read("repos/events-v2/events.yaml");
    let reference = reference(&read);
    let message = item(reference, "message/UserSignedUp");
    assert_eq!(message.kind, ItemKind::Message);
    assert_eq!(message.name, "UserSignedUp");
    assert_eq!(message.label.as_deref(), Some("User signed up"));
    let body = message.body.as_str();
    for part in [
        "Headers",
        "Payload",
        "Example",
        "alice@example.com",
        "$message.header#/correlationId",
        "commonHeaders",
        "Bindings",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    assert!(
        message.search_text.contains("displayName"),
        "{}",
        message.search_text
    );
    let avro = item(reference, "message/UserRenamed");
    assert!(avro
        .body
        .as_str()
        .contains("application/vnd.apache.avro;version=1.9.0"));
    assert!(
        avro.body.as_str().contains("record"),
        "{}",
        avro.body.as_str()
    );
    let schema = item(reference, "schema/User");
    assert_eq!(schema.kind, ItemKind::Schema);
    assert!(schema.search_text.contains("displayName"));
}

#[test]
fn v3_has_every_permalink_in_its_section() {
    let read = read("repos/events-v3/events.yaml");
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let reference = reference(&read);
    assert_eq!(reference.format, "AsyncAPI 3.0.0");
    assert_eq!(
        section_ids(reference),
        ["channels", "operations", "messages", "schemas"]
    );
    assert_eq!(
        anchors(reference),
        [
            "channel/orderPlaced",
            "channel/orderCommands",
            "channel/orderReplies",
            "operation/onOrderPlaced",
            "operation/cancelOrder",
            "operation/ping",
            "message/OrderPlaced",
            "message/CancelOrder",
            "message/CancelOrderResult",
            "schema/Order",
            "schema/Money",
        ]
    );
    let labels: Vec<&str> = reference.facts.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Contact",
            "Licence",
            "Default content type",
            "ID",
            "External docs",
            "Tags"
        ]
    );
    assert_eq!(
        reference.facts[0].href.as_deref(),
        Some("mailto:orders@example.com")
    );
}

#[test]
fn v3_servers_join_protocol_host_and_pathname() {
    let read = read("repos/events-v3/events.yaml");
    let servers = &reference(&read).servers;
    assert_eq!(servers[0].url, "amqp://broker.example.com:5671/orders");
    assert_eq!(servers[0].protocol.as_deref(), Some("amqp 0.9.1"));
    assert!(servers[0].details.as_str().contains("userPassword"));
    assert_eq!(servers[1].name.as_deref(), Some("staging"));
    assert_eq!(servers[1].url, "amqps://staging-broker.example.com");
}

#[test]
fn v3_operations_have_action_channel_messages_and_reply() {
    let read = read("repos/events-v3/events.yaml");
    let reference = reference(&read);
    let placed = item(reference, "operation/onOrderPlaced");
    assert_eq!(placed.badge.as_deref(), Some("receive"));
    assert_eq!(placed.name, "orders.{region}.placed");
    assert_eq!(placed.label.as_deref(), Some("onOrderPlaced"));
    let body = placed.body.as_str();
    assert!(body.contains("href=\"#channel/orderPlaced\""), "{body}");
    assert!(
        body.contains("href=\"#message/OrderPlaced\""),
        "through the channel's $ref: {body}"
    );
    assert!(
        body.contains("<code>consumer</code>") && body.contains("ack"),
        "{body}"
    );
    assert!(
        placed.search_text.contains("orderId"),
        "{}",
        placed.search_text
    );

    let cancel = item(reference, "operation/cancelOrder");
    assert_eq!(cancel.badge.as_deref(), Some("send"));
    assert_eq!(cancel.summary.as_deref(), Some("Cancel an order"));
    let body = cancel.body.as_str();
    for part in [
        "Reply",
        "$message.header#/replyTo",
        "href=\"#channel/orderReplies\"",
        "href=\"#message/CancelOrderResult\"",
        "href=\"#message/CancelOrder\"",
        "Security",
        "userPassword",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }

    let ping = item(reference, "operation/ping");
    let body = ping.body.as_str();
    assert!(
        body.contains("<a href=\"#channel/orderCommands\"><code>Ping</code></a>"),
        "a message inline in a channel links there: {body}"
    );
}

#[test]
fn v3_channels_show_address_parameters_and_inline_messages() {
    let read = read("repos/events-v3/events.yaml");
    let reference = reference(&read);
    let placed = item(reference, "channel/orderPlaced");
    assert_eq!(placed.name, "orderPlaced");
    assert_eq!(placed.label.as_deref(), Some("orders.{region}.placed"));
    assert_eq!(placed.summary.as_deref(), Some("Order placed"));
    let body = placed.body.as_str();
    for part in [
        "<code>region</code>",
        "<code>eu</code>",
        "<code>production</code>",
        "href=\"#operation/onOrderPlaced\"",
        "href=\"#message/OrderPlaced\"",
        "exchange",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    let commands = item(reference, "channel/orderCommands");
    let body = commands.body.as_str();
    assert!(body.contains("<details"), "{body}");
    assert!(body.contains("<code>Ping</code>"), "{body}");
    assert!(
        body.contains("href=\"#operation/cancelOrder\"")
            && body.contains("href=\"#operation/ping\"")
    );
    let replies = item(reference, "channel/orderReplies");
    assert_eq!(replies.label, None);
    assert!(replies.body.as_str().contains("dynamic"));
}

#[test]
fn v3_traits_never_override_the_message() {
    let read = read("repos/events-v3/events.yaml");
    let reference = reference(&read);
    let placed = item(reference, "message/OrderPlaced");
    let body = placed.body.as_str();
    assert!(body.contains("<code>application/json</code>"), "{body}");
    assert!(
        !body.contains("cloudevents"),
        "the message's own contentType wins: {body}"
    );
    assert!(body.contains("<code>tracing</code>"), "{body}");
    assert!(
        placed.search_text.contains("correlationId"),
        "{}",
        placed.search_text
    );
    let cancel = item(reference, "message/CancelOrder");
    assert!(cancel
        .body
        .as_str()
        .contains("application/schema+json;version=draft-07"));
    assert!(
        cancel.search_text.contains("reason"),
        "{}",
        cancel.search_text
    );
}

#[test]
fn unsupported_version_shows_the_source() {
    let read = read("repos/unsupported-asyncapi/asyncapi.yaml");
    assert!(read.reference.is_none());
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    let diagnostic = &read.diagnostics[0];
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.line, Some(3));
    assert!(
        diagnostic.message.contains("1.2.0"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn text_that_does_not_parse_shows_the_source() {
    let read = read("repos/broken-asyncapi/not-yaml.yaml");
    assert!(read.reference.is_none());
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert_eq!(read.diagnostics[0].severity, Severity::Error);
}

#[test]
fn broken_refs_cycles_and_duplicates_are_reported_and_the_rest_renders() {
    let read = read("repos/broken-asyncapi/asyncapi.yaml");
    let reference = reference(&read);
    let messages: Vec<&str> = read
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    let has = |part: &str| messages.iter().any(|m| m.contains(part));
    assert!(has("DoesNotExist"), "{messages:?}");
    assert!(has("cycle"), "{messages:?}");
    assert!(has("Missing"), "{messages:?}");
    assert!(has("`subscribe` of channel `audit/weird`"), "{messages:?}");
    assert!(has("#operation/onAudit-2"), "{messages:?}");
    assert!(read.diagnostics.iter().all(|d| d.line.is_some()));
    let anchors = anchors(reference);
    for anchor in [
        "operation/onAudit",
        "operation/onAudit-2",
        "operation/loopy",
        "operation/deep",
        "message/Loop",
        "message/Deep3",
    ] {
        assert!(anchors.contains(&anchor), "{anchor} in {anchors:?}");
    }
    assert!(!anchors.contains(&"operation/subscribe-audit/weird"));
    let deep = item(reference, "operation/deep");
    assert!(
        deep.body.as_str().contains("href=\"#message/Deep3\""),
        "{}",
        deep.body.as_str()
    );
    let duplicate = item(reference, "operation/onAudit-2");
    assert_eq!(
        duplicate.summary.as_deref(),
        Some("A second operation with the same id.")
    );
}

#[test]
fn hostile_text_is_escaped() {
    let read = read("repos/broken-asyncapi/asyncapi.yaml");
    let reference = reference(&read);
    let description = reference
        .description
        .as_ref()
        .expect("description")
        .as_str();
    assert!(
        !description.contains("<script") && !description.contains("javascript:"),
        "{description}"
    );
    let duplicate = item(reference, "operation/onAudit-2");
    let body = duplicate.body.as_str();
    assert!(
        body.contains("<code>Evil&quot;&lt;script&gt;</code>"),
        "{body}"
    );
    assert!(
        body.contains("href=\"#message/Evil%22%3Cscript%3E\""),
        "{body}"
    );
    let evil = item(reference, "message/Evil\"<script>");
    assert!(
        evil.body.as_str().contains("&lt;script&gt;alert("),
        "{}",
        evil.body.as_str()
    );
    let evil_description = evil.description.as_ref().expect("description").as_str();
    assert!(
        evil_description.contains("&lt;script&gt;alert(3)"),
        "{evil_description}"
    );
    for item in reference.sections.iter().flat_map(|s| &s.items) {
        for html in [Some(&item.body), item.description.as_ref()]
            .into_iter()
            .flatten()
        {
            assert!(
                !html.as_str().contains("<script"),
                "{}: {}",
                item.anchor,
                html.as_str()
            );
        }
    }
}
