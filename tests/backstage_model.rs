//! The current Backstage model on real builds: mcp-server APIs with `spec.remotes`, and custom
//! kinds from `catalog.kinds` published with a generic page that takes part in relations,
//! graphs, the home page and the catalog index. Kinds not listed stay rejected.

mod common;

use common::{entity_page, Portal};

fn portal() -> Portal {
    let portal = Portal::empty();
    portal.write(
        "greenroom.yaml",
        "catalog:\n  kinds:\n    - kind: AiResource\n      api_versions: [backstage.io/v1alpha1]\n",
    );
    portal.write(
        "repos/ai/catalog-info.yaml",
        r#"apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: backstage}
spec: {owner: maintainers}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: maintainers}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: github-mcp-server
  title: GitHub MCP Server
spec:
  type: mcp-server
  lifecycle: production
  owner: maintainers
  system: backstage
  remotes:
    - type: streamable-http
      url: https://api.githubcopilot.com/mcp/
    - type: stdio
      url: docker run -i ghcr.io/github/github-mcp-server
---
apiVersion: backstage.io/v1alpha1
kind: AiResource
metadata:
  name: mui-to-bui-migration
  title: MUI to BUI Migration
  description: Migrate plugins from MUI to BUI
spec:
  type: skill
  lifecycle: production
  owner: maintainers
  system: backstage
  disciplines: [web]
  agents: [claude-code]
  limits: {tokens: 1000, tools: [read, write]}
---
apiVersion: backstage.io/v1alpha1
kind: Widget
metadata: {name: not-listed}
spec: {owner: maintainers}
---
apiVersion: backstage.io/v1beta1
kind: AiResource
metadata: {name: wrong-version}
spec: {owner: maintainers}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: no-remotes}
spec: {type: mcp-server, lifecycle: production, owner: maintainers}
"#,
    );
    portal
}

#[test]
fn mcp_servers_show_their_remotes() {
    let portal = portal();
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let page = site.read(&entity_page("default", "api", "github-mcp-server"));
    assert!(page.contains("id=\"remotes\""), "{page}");
    assert!(page.contains("<code>streamable-http</code>"));
    assert!(page.contains("href=\"https://api.githubcopilot.com/mcp/\""));
    assert!(
        page.contains(
            "<code class=\"break\">docker run -i ghcr.io/github/github-mcp-server</code>"
        ),
        "a stdio command is text, not a link"
    );
    assert!(!page.contains("id=\"definition\""), "no definition to show");
    let diagnostics = site.read("diagnostics.json");
    assert!(
        diagnostics.contains("missing required field \\\"spec.remotes\\\""),
        "{diagnostics}"
    );
    assert!(!site.exists(&entity_page("default", "api", "no-remotes")));
}

#[test]
fn custom_kinds_get_a_generic_page_and_join_the_catalog() {
    let portal = portal();
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let page = site.read(&entity_page(
        "default",
        "airesource",
        "mui-to-bui-migration",
    ));
    assert!(page.contains("MUI to BUI Migration"));
    assert!(page.contains("id=\"spec\""), "{page}");
    assert!(
        page.contains(
            "<dt><code>disciplines</code></dt><dd><ul class=\"spec-items\"><li>web</li></ul>"
        ),
        "{page}"
    );
    assert!(
        page.contains("tokens: 1000"),
        "nested values are readable: {page}"
    );
    assert!(page.contains("Owned by"));
    assert!(
        page.contains("kind-other"),
        "the graph draws the custom kind: {page}"
    );
    // It is part of its system and owned by its group, both ways.
    let system = site.read(&entity_page("default", "system", "backstage"));
    assert!(
        system.contains("catalog/default/airesource/mui-to-bui-migration/index.html")
            || system.contains("../../airesource/mui-to-bui-migration/index.html"),
        "{system}"
    );
    let home = site.read("index.html");
    assert!(home.contains("AiResources"), "home counts the kind");
    assert!(site.exists("catalog/_by/kind/airesource/index.html"));
    let entities = site.read("catalog/entities.json");
    assert!(
        entities.contains("\"kind\": \"AiResource\"")
            || entities.contains("\"kind\":\"AiResource\"")
    );

    // Kinds not listed, and apiVersions not accepted, stay rejected with today's messages.
    let diagnostics = site.read("diagnostics.json");
    assert!(
        diagnostics.contains("unknown kind 'Widget'"),
        "{diagnostics}"
    );
    assert!(
        diagnostics.contains(
            "apiVersion \\\"backstage.io/v1beta1\\\" is not supported for kind AiResource"
        ),
        "{diagnostics}"
    );
}

#[test]
fn bad_custom_kinds_are_configuration_errors() {
    for (kinds, message) in [
        ("[{kind: Component}]", "is a built-in kind"),
        ("[{kind: 9lives}]", "is not a kind name"),
        (
            "[{kind: Thing, api_versions: []}]",
            "needs at least one apiVersion",
        ),
        (
            "[{kind: Thing, colour: red}]",
            "unknown key 'catalog.kinds[0].colour'",
        ),
    ] {
        let portal = Portal::empty();
        portal.write("greenroom.yaml", format!("catalog:\n  kinds: {kinds}\n"));
        let run = portal.check(&["--format", "json"]);
        run.assert_code(1);
        assert!(run.stdout.contains(message), "{kinds}: {}", run.describe());
        assert!(
            run.stdout.contains("\"line\": 2"),
            "{kinds}: {}",
            run.describe()
        );
    }
}
