//! What a reader makes of one API definition: the reference page's content, the same shape
//! for every format. Each format's reader keeps a typed model of its own document and turns
//! it into this; the site model and the search stage read only this.

use super::html::Html;

/// The reference of one API: everything its page shows and search indexes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reference {
    /// Format and version as a reader names it: `OpenAPI 3.1.0`, `Swagger 2.0`,
    /// `AsyncAPI 3.0.0`, `GraphQL SDL`, `Protocol Buffers (proto3)`.
    pub format: String,
    /// The definition's own title (`info.title`), when it has one.
    pub title: Option<String>,
    /// The definition's version (`info.version`), when it has one.
    pub version: Option<String>,
    /// The definition's description, rendered from Markdown and sanitised.
    pub description: Option<Html>,
    /// Short facts shown under the title: contact, licence, terms, package, syntax.
    pub facts: Vec<Fact>,
    /// Where the API is served (OpenAPI and AsyncAPI servers).
    pub servers: Vec<Server>,
    /// The reference's sections in reading order (operations by tag, schemas, channels…).
    pub sections: Vec<Section>,
}

/// A labelled fact: `Licence: Apache 2.0`, with a link when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What the fact is: `Contact`, `Licence`, `Package`.
    pub label: String,
    /// Its value as text.
    pub text: String,
    /// A safe link (`http(s)` or `mailto`), when the value has one.
    pub href: Option<String>,
}

/// A server the API is reached at.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The server's key (AsyncAPI, OpenAPI never names them).
    pub name: Option<String>,
    /// Its URL (or AsyncAPI host and pathname), variables left as written.
    pub url: String,
    /// Protocol and version (AsyncAPI), e.g. `kafka 3.5`.
    pub protocol: Option<String>,
    /// Its description, rendered.
    pub description: Option<Html>,
    /// Variables, bindings and security of the server, rendered (may be empty).
    pub details: Html,
}

/// A titled group of items: operations of one tag, `Schemas`, `Channels`, `Types`.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The section's element id; unique on the page and never of the form of a permalink
    /// (`tag/<name>`, `schemas`, `channels`, …).
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Its description (a tag's description), rendered.
    pub description: Option<Html>,
    /// Its items in file order.
    pub items: Vec<Item>,
}

/// One linkable thing of the reference: an operation, schema, channel, message, GraphQL type
/// or root field, RPC or protobuf message or enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Its permalink: the element id, exactly as the issue fixes it (`operation/createPet`,
    /// `schema/Pet`, `channel/user.signup`, `type/Film`, `rpc/pkg.Greeter/SayHello`…).
    pub anchor: String,
    /// What it is, for search and styling.
    pub kind: ItemKind,
    /// A short badge before the name: the HTTP method (`get`), the AsyncAPI action
    /// (`send`, `publish`), the GraphQL type kind (`interface`), `stream`.
    pub badge: Option<String>,
    /// The heading: a path (`/pets/{petId}`), a name (`Pet`, `SayHello`), a channel address.
    pub name: String,
    /// A second name shown beside it: an operation's `operationId`, an RPC's signature.
    pub label: Option<String>,
    /// One line of summary, as text.
    pub summary: Option<String>,
    /// The long description, rendered.
    pub description: Option<Html>,
    /// Marked deprecated in the definition.
    pub deprecated: bool,
    /// Everything else the item shows (parameters, bodies, responses, property trees, fields,
    /// examples), rendered through [`super::html`].
    pub body: Html,
    /// Words a search for this item should match beyond its name, label and summary
    /// (parameter and field names, the tag, the description's text).
    pub search_text: String,
}

/// The kinds of items, for search results and classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    /// An OpenAPI operation (method and path).
    Operation,
    /// A named schema (OpenAPI components or definitions, AsyncAPI components).
    Schema,
    /// A security scheme.
    SecurityScheme,
    /// An AsyncAPI channel.
    Channel,
    /// An AsyncAPI message (components) or a protobuf message.
    Message,
    /// A GraphQL named type.
    Type,
    /// A field of the GraphQL `Query` root.
    Query,
    /// A field of the GraphQL `Mutation` root.
    Mutation,
    /// A field of the GraphQL `Subscription` root.
    Subscription,
    /// A protobuf service.
    Service,
    /// A protobuf RPC.
    Rpc,
    /// A protobuf enum.
    Enum,
}

impl ItemKind {
    /// Lowercase name, used as a CSS class and in search results.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Operation => "operation",
            ItemKind::Schema => "schema",
            ItemKind::SecurityScheme => "security scheme",
            ItemKind::Channel => "channel",
            ItemKind::Message => "message",
            ItemKind::Type => "type",
            ItemKind::Query => "query",
            ItemKind::Mutation => "mutation",
            ItemKind::Subscription => "subscription",
            ItemKind::Service => "service",
            ItemKind::Rpc => "rpc",
            ItemKind::Enum => "enum",
        }
    }
}
