//! Renamed objects: an object removed under one name and added under another, of the same kind
//! and with every field alike once the old name reads as the new one (a workspace's DNS names
//! hold its name), is one change where the added one is: `name before -> after`, then the
//! fields whose text differs. Objects are matched by (kind, name)
//! ([`super::objects::changes`]), so without this a renamed workspace reads as two unrelated
//! objects.

use super::objects::{FieldChange, ObjectChange, ObjectChangeKind};

/// The fields of an added or removed object, on its side.
fn values(o: &ObjectChange) -> Vec<(&'static str, Option<&String>)> {
    let removed = o.change == ObjectChangeKind::Removed;
    o.fields.iter().map(|f| (f.field, if removed { f.before.as_ref() } else { f.after.as_ref() })).collect()
}

/// Whether `old`, removed, is `new`, added, under another name.
fn renamed(old: &ObjectChange, new: &ObjectChange) -> bool {
    let as_new = |v: Option<&String>| v.map(|v| v.replace(&old.name, &new.name));
    let (was, is) = (values(old), values(new));
    old.kind == new.kind
        && was.len() == is.len()
        && was.iter().zip(&is).all(|((f, v), (g, w))| f == g && as_new(*v).as_ref() == *w)
}

/// Pairs each added object with the first removed one of its kind and fields not yet paired.
pub fn fold_renames(changes: Vec<ObjectChange>) -> Vec<ObjectChange> {
    let of =
        |kind: ObjectChangeKind| -> Vec<usize> { (0..changes.len()).filter(|i| changes[*i].change == kind).collect() };
    let removed = of(ObjectChangeKind::Removed);
    let mut renamed_from: Vec<Option<usize>> = vec![None; changes.len()];
    let mut taken = vec![false; changes.len()];
    for added in of(ObjectChangeKind::Added) {
        let new = &changes[added];
        let found = removed.iter().copied().find(|r| !taken[*r] && renamed(&changes[*r], new));
        if let Some(r) = found {
            taken[r] = true;
            renamed_from[added] = Some(r);
        }
    }
    let fields: Vec<Option<Vec<FieldChange>>> = (0..changes.len())
        .map(|i| {
            let (old, new) = (&changes[renamed_from[i]?], &changes[i]);
            let name = FieldChange { field: "name", before: Some(old.name.clone()), after: Some(new.name.clone()) };
            let differing = (old.fields.iter().zip(&new.fields))
                .filter(|(was, is)| was.before != is.after)
                .map(|(was, is)| FieldChange { field: is.field, before: was.before.clone(), after: is.after.clone() });
            Some(std::iter::once(name).chain(differing).collect())
        })
        .collect();
    (changes.into_iter().zip(fields).enumerate())
        .filter(|(i, _)| !taken[*i])
        .map(|(_, (mut c, fields))| {
            if let Some(fields) = fields {
                c.change = ObjectChangeKind::Modified;
                c.fields = fields;
            }
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::objects::ObjectKind;

    fn change(kind: ObjectKind, name: &str, change: ObjectChangeKind, value: &str) -> ObjectChange {
        let value = Some(value.to_string());
        let (before, after) = match change {
            ObjectChangeKind::Removed => (value, None),
            _ => (None, value),
        };
        ObjectChange { kind, name: name.into(), change, fields: vec![FieldChange { field: "region", before, after }] }
    }

    /// Catches the old behaviour (a rename as one removal and one addition) and pairing across
    /// kinds or fields that differ.
    #[test]
    fn a_removed_and_an_added_object_alike_but_for_the_name_are_one_rename() {
        use ObjectChangeKind::{Added, Modified, Removed};
        let folded = fold_renames(vec![
            change(ObjectKind::Service, "ws", Removed, "eastus"),
            change(ObjectKind::Vnet, "ws2", Added, "eastus"),
            change(ObjectKind::Service, "other", Added, "westus"),
            change(ObjectKind::Service, "ws2", Added, "eastus"),
        ]);
        let summary: Vec<(ObjectKind, &str, ObjectChangeKind)> =
            folded.iter().map(|c| (c.kind, c.name.as_str(), c.change.clone())).collect();
        assert_eq!(
            summary,
            [
                (ObjectKind::Vnet, "ws2", Added),
                (ObjectKind::Service, "other", Added),
                (ObjectKind::Service, "ws2", Modified)
            ]
        );
        let rename = &folded[2].fields;
        assert_eq!(rename, &[FieldChange { field: "name", before: Some("ws".into()), after: Some("ws2".into()) }]);

        // A field holding the name (a workspace's DNS names) follows the rename, and shows.
        let folded = fold_renames(vec![
            change(ObjectKind::Service, "ws", Removed, "ws.eastus.example"),
            change(ObjectKind::Service, "ws2", Added, "ws2.eastus.example"),
        ]);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].fields[1].before.as_deref(), Some("ws.eastus.example"));
        assert_eq!(folded[0].fields[1].after.as_deref(), Some("ws2.eastus.example"));
    }
}
