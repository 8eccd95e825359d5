//! Lookup indexes over stored records, so unique and external-id checks, upserts and duplicate
//! rules cost a hash lookup instead of a scan: per object, indexed field → normalized value →
//! record ids, and duplicate rule → match key → record ids. Indexes live beside the records and
//! are rebuilt from them whenever the two disagree (a state file loaded, records written by a
//! test), so they never need persisting.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::schema::{DuplicateCheck, ObjectDef};
use crate::state::Record;

#[derive(Debug, Default)]
pub struct Indexes {
    objects: HashMap<String, ObjectIndex>,
    /// Ids deleted since start, so a second delete or update says "entity is deleted".
    deleted: HashSet<String>,
}

#[derive(Debug, Default)]
struct ObjectIndex {
    /// How many records the index covers; a mismatch with the store means a rebuild.
    count: usize,
    fields: HashMap<usize, HashMap<String, Vec<String>>>,
    duplicates: Vec<HashMap<String, Vec<String>>>,
}

/// The match key of a duplicate rule for a record: every matched field non-blank, compared
/// without regard to case or surrounding spaces.
pub fn duplicate_key(obj: &ObjectDef, rule: &DuplicateCheck, rec: &Record) -> Option<String> {
    let mut key = String::new();
    for (n, &i) in rule.fields.iter().enumerate() {
        let text = match rec.get(&obj.fields[i].name)? {
            Value::String(s) => s.trim().to_lowercase(),
            Value::Number(x) => x.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        if text.is_empty() {
            return None;
        }
        if n > 0 {
            key.push('\u{1f}');
        }
        key.push_str(&text);
    }
    Some(key)
}

fn push(map: &mut HashMap<String, Vec<String>>, key: String, id: &str) {
    let ids = map.entry(key).or_default();
    if !ids.iter().any(|x| x == id) {
        ids.push(id.to_string());
    }
}

fn pull(map: &mut HashMap<String, Vec<String>>, key: &str, id: &str) {
    if let Some(ids) = map.get_mut(key) {
        ids.retain(|x| x != id);
        if ids.is_empty() {
            map.remove(key);
        }
    }
}

impl ObjectIndex {
    fn add_fields(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        for &i in &obj.indexed {
            let f = &obj.fields[i];
            if let Some(key) = rec.get(&f.name).and_then(|v| f.index_key(v)) {
                push(self.fields.entry(i).or_default(), key, id);
            }
        }
    }

    fn remove_fields(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        for &i in &obj.indexed {
            let f = &obj.fields[i];
            if let (Some(key), Some(map)) = (
                rec.get(&f.name).and_then(|v| f.index_key(v)),
                self.fields.get_mut(&i),
            ) {
                pull(map, &key, id);
            }
        }
    }

    fn add_duplicates(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        self.duplicates
            .resize_with(obj.duplicates.len(), HashMap::new);
        for (r, rule) in obj.duplicates.iter().enumerate() {
            if let Some(key) = duplicate_key(obj, rule, rec) {
                push(&mut self.duplicates[r], key, id);
            }
        }
    }

    fn remove_duplicates(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        for (r, rule) in obj.duplicates.iter().enumerate() {
            if let (Some(key), Some(map)) =
                (duplicate_key(obj, rule, rec), self.duplicates.get_mut(r))
            {
                pull(map, &key, id);
            }
        }
    }
}

impl Indexes {
    /// Makes the object's index agree with its stored records (cheap when it already does).
    pub fn ensure(&mut self, obj: &ObjectDef, records: Option<&BTreeMap<String, Record>>) {
        let stored = records.map_or(0, BTreeMap::len);
        let current = self.objects.get(&obj.name).map(|x| x.count);
        if current == Some(stored) {
            return;
        }
        let mut idx = ObjectIndex::default();
        for (id, rec) in records.into_iter().flatten() {
            idx.add_fields(obj, id, rec);
            idx.add_duplicates(obj, id, rec);
        }
        idx.count = stored;
        self.objects.insert(obj.name.clone(), idx);
    }

    /// Ids of records whose `field` has the normalized value `key`.
    pub fn lookup(&self, obj: &ObjectDef, field: usize, key: &str) -> &[String] {
        self.objects
            .get(&obj.name)
            .and_then(|x| x.fields.get(&field))
            .and_then(|m| m.get(key))
            .map_or(&[], Vec::as_slice)
    }

    /// Ids of records matching duplicate rule `rule` on `key`.
    pub fn duplicates(&self, obj: &ObjectDef, rule: usize, key: &str) -> &[String] {
        self.objects
            .get(&obj.name)
            .and_then(|x| x.duplicates.get(rule))
            .and_then(|m| m.get(key))
            .map_or(&[], Vec::as_slice)
    }

    fn entry(&mut self, obj: &ObjectDef) -> &mut ObjectIndex {
        self.objects.entry(obj.name.clone()).or_default()
    }

    /// Indexes a new record's unique and external-id values (duplicate-rule keys come later,
    /// with [`Indexes::inserted_duplicates`], because rules do not compare records of one batch).
    pub fn inserted(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        let idx = self.entry(obj);
        idx.add_fields(obj, id, rec);
        idx.count += 1;
    }

    pub fn inserted_duplicates(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        self.entry(obj).add_duplicates(obj, id, rec);
    }

    /// Re-indexes a changed record; its new duplicate keys come with
    /// [`Indexes::inserted_duplicates`].
    pub fn updated(&mut self, obj: &ObjectDef, id: &str, old: &Record, new: &Record) {
        let idx = self.entry(obj);
        idx.remove_fields(obj, id, old);
        idx.remove_duplicates(obj, id, old);
        idx.add_fields(obj, id, new);
    }

    pub fn removed(&mut self, obj: &ObjectDef, id: &str, rec: &Record) {
        let idx = self.entry(obj);
        idx.remove_fields(obj, id, rec);
        idx.remove_duplicates(obj, id, rec);
        idx.count = idx.count.saturating_sub(1);
        self.deleted.insert(id.to_string());
    }

    pub fn is_deleted(&self, id: &str) -> bool {
        self.deleted.contains(id)
    }
}
