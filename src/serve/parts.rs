//! The groups a served site's files fall into (theme assets, search index, one docs site, the
//! rest), so a rebuild can replace a whole group or patch single files.

/// Which group of served files a path belongs to; a rebuild replaces whole groups or patches
/// single files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// `assets/`: the theme's files.
    Assets,
    /// `search/*.js`: the search index.
    Search,
    /// One docs site's pages and files, by its folder (`docs/<ns>/<kind>/<name>/`).
    Docs(String),
    /// Every other page and data file.
    Catalog,
}

/// The group a site path belongs to.
pub fn part_of(path: &str) -> Part {
    if path.starts_with("assets/") {
        return Part::Assets;
    }
    if path.starts_with("search/") && path.ends_with(".js") {
        return Part::Search;
    }
    if let Some(rest) = path.strip_prefix("docs/") {
        let segments: Vec<&str> = rest.splitn(4, '/').collect();
        if segments.len() == 4 {
            return Part::Docs(format!(
                "docs/{}/{}/{}/",
                segments[0], segments[1], segments[2]
            ));
        }
    }
    Part::Catalog
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_by_path() {
        assert_eq!(part_of("assets/style.css"), Part::Assets);
        assert_eq!(part_of("search/t/0.js"), Part::Search);
        assert_eq!(part_of("search/manifest.js"), Part::Search);
        assert_eq!(part_of("search/index.html"), Part::Catalog);
        assert_eq!(part_of("docs/index.html"), Part::Catalog);
        assert_eq!(
            part_of("docs/default/component/pay/guide/index.html"),
            Part::Docs("docs/default/component/pay/".to_string())
        );
        assert_eq!(
            part_of("docs/default/component/pay/index.html"),
            Part::Docs("docs/default/component/pay/".to_string())
        );
        assert_eq!(
            part_of("catalog/default/component/pay/index.html"),
            Part::Catalog
        );
    }
}
