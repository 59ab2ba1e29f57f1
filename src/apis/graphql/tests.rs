use crate::apis::read_fixture;

#[test]
fn dump() {
    for f in [
        "repos/films/schema.graphql",
        "repos/broken-graphql/schema.graphql",
        "repos/reviews-graphql/schema.graphql",
    ] {
        let read = read_fixture("graphql", f);
        for d in &read.diagnostics {
            println!("{:?} {:?} {}", d.severity, d.line, d.message);
        }
        if let Some(r) = &read.reference {
            println!("{} {:?}", r.format, r.facts);
            for s in &r.sections {
                println!("## {} {}", s.id, s.title);
                for i in &s.items {
                    println!(
                        "  {} {:?} {} {:?} | {}",
                        i.anchor, i.badge, i.name, i.label, i.search_text
                    );
                }
            }
        }
    }
}
#[test]
fn dump2() {
    let read = crate::apis::read_fixture("graphql", "repos/films/schema.graphql");
    let r = read.reference.unwrap();
    for s in &r.sections {
        for i in &s.items {
            if [
                "type/Film",
                "type/Node",
                "query/allFilms",
                "type/SearchResult",
                "type/LengthUnit",
                "type/DateTime",
                "mutation/removeFilm",
                "type/FilmInput",
            ]
            .contains(&i.anchor.as_str())
            {
                println!(
                    "{}\n  desc={:?}\n  {}\n",
                    i.anchor,
                    i.description,
                    i.body.as_str()
                );
            }
        }
    }
    let read = crate::apis::read_fixture("graphql", "repos/reviews-graphql/schema.graphql");
    let r = read.reference.unwrap();
    for s in &r.sections {
        for i in &s.items {
            println!(
                "{}\n  desc={:?}\n  {}\n",
                i.anchor,
                i.description,
                i.body.as_str()
            );
        }
    }
}
