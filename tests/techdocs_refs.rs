//! Where docs come from: `url:` techdocs-refs read from source repositories (identified by
//! their remote or by what their descriptors declare), cloned for docs when `reading.allow`
//! permits, refused with advice otherwise; one site for entities that name one folder; links
//! from docs to files elsewhere in the repository.

mod common;

use common::git::{component, git, make_repo, write, GitPortal};
use common::messages_but_owners as messages;
use serde_json::Value;

fn documented(name: &str, reference: &str) -> String {
    component(
        name,
        &format!("  annotations:\n    backstage.io/techdocs-ref: {reference}\n"),
    )
}

fn docs_page(name: &str) -> String {
    format!("docs/default/component/{name}/index.html")
}

#[test]
fn url_refs_read_the_source_repository_they_name() {
    let p = GitPortal::new();
    let repos = p.portal.path("repos");
    // A checkout identified by its origin remote (spelled in another case than the refs).
    let handbook = make_repo(
        &repos.join("handbook"),
        &[
            ("guide/mkdocs.yml", "site_name: Handbook\n"),
            ("guide/docs/index.md", "# Handbook\n\nHow we work.\n"),
        ],
    );
    git(
        &handbook,
        &[
            "remote",
            "add",
            "origin",
            "git@github.com:Acme/Handbook.git",
        ],
    );
    // Plain folders identified by what their own descriptors declare.
    write(
        &repos.join("platform/catalog-info.yaml"),
        &component(
            "platform",
            "  annotations:\n    github.com/project-slug: acme/platform\n",
        ),
    );
    write(
        &repos.join("platform/docs/index.md"),
        "# Platform\n\nPaved roads.\n",
    );
    write(
        &repos.join("tools/catalog-info.yaml"),
        &component(
            "tools",
            "  annotations:\n    backstage.io/source-location: url:https://gitlab.com/acme/group/tools/-/tree/main/\n",
        ),
    );
    write(
        &repos.join("tools/handbook/docs/index.md"),
        "# Tools\n\nCLIs.\n",
    );
    let refs = [
        documented(
            "handbook-docs",
            "url:https://github.com/acme/handbook/tree/main/guide",
        ),
        documented("platform-docs", "url:https://github.com/ACME/platform"),
        documented(
            "tools-docs",
            "url:https://gitlab.com/acme/group/tools/-/tree/main/handbook",
        ),
        documented(
            "escape",
            "url:https://github.com/acme/handbook/tree/main/../../..",
        ),
        documented(
            "elsewhere",
            "url:https://github.com/acme/not-here/tree/main/docs",
        ),
        documented(
            "not-a-repo",
            "url:https://example.com/some/page/nowhere/at/all",
        ),
    ];
    write(&repos.join("portal/catalog-info.yaml"), &refs.join("---\n"));
    p.config("sources:\n  - path: repos\n");
    p.build(&[]).assert_code(0);
    let site = p.site();

    let handbook_docs = site.read(&docs_page("handbook-docs"));
    assert!(handbook_docs.contains("How we work."), "{handbook_docs}");
    assert!(
        handbook_docs
            .contains("href=\"https://github.com/Acme/Handbook/edit/main/guide/docs/index.md\""),
        "edit link from the checkout's remote: {handbook_docs}"
    );
    assert!(site
        .read(&docs_page("platform-docs"))
        .contains("Paved roads."));
    let tools = site.read(&docs_page("tools-docs"));
    assert!(tools.contains("CLIs."), "{tools}");
    assert!(
        tools.contains(
            "href=\"https://gitlab.com/acme/group/tools/-/edit/main/handbook/docs/index.md\""
        ),
        "edit link from the declared source location: {tools}"
    );
    // The repository's own entity still reads its docs from `dir:`-less defaults: none.
    assert!(!site.exists(&docs_page("platform")));

    let messages = messages(&site);
    let find = |needle: &str| {
        messages
            .iter()
            .find(|m| m.contains(needle))
            .unwrap_or_else(|| panic!("no diagnostic with {needle:?} in {messages:#?}"))
            .clone()
    };
    assert!(find("../../..").contains("leaves the repository root"));
    let elsewhere = find("not-here");
    assert!(
        elsewhere.contains("github.com/acme/not-here, which is not a source")
            && elsewhere.contains("reading: {allow: [github.com]}"),
        "{elsewhere}"
    );
    assert!(find("example.com/some/page").contains("not a repository URL"));
    assert!(!site.exists(&docs_page("escape")));
    assert!(!site.exists(&docs_page("elsewhere")));
    assert_eq!(messages.len(), 3, "{messages:#?}");
}

#[test]
fn url_refs_to_other_repositories_are_cloned_when_reading_allows_them() {
    let p = GitPortal::new();
    let remote = make_repo(
        &p.remotes().join("acme/manuals.git"),
        &[("site/docs/index.md", "# Manuals\n\nOn main.\n")],
    );
    git(&remote, &["checkout", "-q", "-b", "release/1.x"]);
    write(
        &remote.join("site/docs/index.md"),
        "# Manuals\n\nRelease one.\n",
    );
    write(&remote.join("site/mkdocs.yml"), "site_name: Manuals 1.x\n");
    git(&remote, &["add", "-A"]);
    git(
        &remote,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-q",
            "-m",
            "release",
        ],
    );
    git(&remote, &["checkout", "-q", "main"]);
    p.redirect_github("https://github.com/");
    write(
        &p.portal.path("repos/portal/catalog-info.yaml"),
        &documented(
            "manuals",
            "url:https://github.com/acme/manuals/tree/release/1.x/site",
        ),
    );

    // Not allowed: nothing is fetched, and the warning says how to allow it.
    p.config("sources:\n  - path: repos\n");
    p.build(&[]).assert_code(0);
    let refused = messages(&p.site());
    assert!(
        refused.len() == 1 && refused[0].contains("reading: {allow: [github.com]}"),
        "{refused:#?}"
    );
    assert!(!p.portal.path(".greenroom-cache/git").exists());

    // Allowed: cloned at the branch the URL names (a branch with a `/` in it).
    p.config("sources:\n  - path: repos\nreading:\n  allow: [github.com]\n");
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(messages(&site).is_empty(), "{:#?}", messages(&site));
    let page = site.read(&docs_page("manuals"));
    assert!(page.contains("Release one."), "{page}");
    assert!(page.contains("Manuals 1.x"));
    assert!(
        page.contains(
            "href=\"https://github.com/acme/manuals/edit/release/1.x/site/docs/index.md\""
        ),
        "{page}"
    );
    assert!(!page.contains(".greenroom-cache"), "no cache path in pages");
    let clones = common::entry_names(&p.portal.path(".greenroom-cache/git"));
    assert_eq!(clones.len(), 1, "{clones:?}");

    // A URL prefix entry allows exactly that prefix: another one refuses the clone.
    write(&remote.join("README.md"), "x\n");
    p.config("sources:\n  - path: repos\nreading:\n  allow: ['https://github.com/other/']\n");
    p.build(&[]).assert_code(0);
    assert_eq!(messages(&p.site()).len(), 1);
}

#[test]
fn entities_naming_one_folder_share_one_site() {
    let p = GitPortal::new();
    let repos = p.portal.path("repos");
    write(
        &repos.join("plugin/catalog-info.yaml"),
        &documented("search-plugin", "dir:."),
    );
    write(
        &repos.join("plugin/backend/catalog-info.yaml"),
        &documented("search-backend", "dir:.."),
    );
    write(
        &repos.join("plugin/docs/index.md"),
        "# Search plugin\n\nBoth halves.\n",
    );
    p.config("sources:\n  - path: repos\ndiscover: ['**/catalog-info.yaml']\n");
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(messages(&site).is_empty(), "{:#?}", messages(&site));
    assert!(site
        .read(&docs_page("search-plugin"))
        .contains("Both halves."));
    assert!(
        !site.exists("docs/default/component/search-backend"),
        "one site, not two copies"
    );
    let backend = site.read(&common::entity_page(
        "default",
        "component",
        "search-backend",
    ));
    assert!(
        backend.contains("docs/default/component/search-plugin/index.html"),
        "the backend's page links to the shared site: {backend}"
    );
    let index = site.read("docs/index.html");
    assert_eq!(
        index.matches("<article class=\"card docs-card\">").count(),
        1,
        "{index}"
    );
}

#[test]
fn docs_links_to_files_elsewhere_in_the_repository_open_them_on_the_code_host() {
    let p = GitPortal::new();
    let repos = p.portal.path("repos");
    let service = make_repo(
        &repos.join("service"),
        &[
            ("catalog-info.yaml", &documented("service", "dir:.")),
            ("Makefile", "all:\n"),
            ("src/client.ts", "export {};\n"),
            (
                "docs/index.md",
                "# Service\n\n[make](../Makefile), [client](../src/client.ts#L1), [sources](../src/), [gone](../missing.txt), [root](../../service/)\n\n![architecture](../arch.png)\n",
            ),
            ("arch.png", "png"),
            ("docs/guide.md", "# Guide\n\nSee [setup](../setup/).\n"),
            ("docs/setup.md", "# Setup\n"),
        ],
    );
    git(
        &service,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/acme/service.git",
        ],
    );
    write(
        &repos.join("plain/catalog-info.yaml"),
        &documented("plain", "dir:."),
    );
    write(
        &repos.join("plain/docs/index.md"),
        "# Plain\n\n[up](../Makefile)\n",
    );
    p.config("sources:\n  - path: repos\n");
    p.build(&[]).assert_code(0);
    let site = p.site();
    let html = site.read(&docs_page("service"));
    for href in [
        "https://github.com/acme/service/blob/main/Makefile",
        "https://github.com/acme/service/blob/main/src/client.ts#L1",
        "https://github.com/acme/service/tree/main/src/",
        "https://github.com/acme/service/blob/main/missing.txt",
    ] {
        assert!(
            html.contains(&format!("href=\"{href}\"")),
            "{href} in {html}"
        );
    }
    assert!(
        html.contains("src=\"https://github.com/acme/service/raw/main/arch.png\""),
        "an image outside the docs folder is the file itself: {html}"
    );
    let guide = site.read("docs/default/component/service/guide/index.html");
    assert!(
        guide.contains("href=\"../setup/index.html\""),
        "a link written for mkdocs' directory URLs stays a page link: {guide}"
    );
    let messages = messages(&site);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("missing.txt, which does not exist in the repository")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("../../service/") && m.contains("outside the repository")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("../Makefile points outside the docs folder")),
        "a repository without web pages keeps the warning: {messages:#?}"
    );
    assert_eq!(messages.len(), 3, "{messages:#?}");
    let entities = site.json("catalog/entities.json");
    assert!(entities["items"]
        .as_array()
        .is_some_and(|items| items.len() == 2));
    let _: &Value = &entities;
}
