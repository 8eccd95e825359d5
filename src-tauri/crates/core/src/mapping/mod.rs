//! The mapping engine of a calendar's Salesforce integration: rows of field ← source through a
//! transform, the checks that keep a mapping Salesforce would refuse from being saved, the exact
//! record a booking would post, mapping files, and the rows a new integration starts with. Every
//! function here is pure — describes, questions and bookings come in as data — so the desktop
//! shell, the CLI and the delivery path all share one answer to "what would be posted".

pub mod checks;
pub mod defaults;
pub mod file;
pub mod preview;
pub mod source;
pub mod transform;

use leadline_salesforce::rest::{FieldDescribe, ObjectDescribe};

use crate::ipc::FieldOption;

pub use checks::{check, has_errors};
pub use defaults::initial_rows;
pub use file::{ImportedMapping, export, import};
pub use preview::{PreviewBooking, preview};
pub use source::{BookingFacts, answers};
pub use transform::{CoercionError, apply};

/// The fields the rows editor offers: createable ones only (posting any other is refused),
/// required first, then by label.
pub fn field_options(describe: &ObjectDescribe) -> Vec<FieldOption> {
    let mut options: Vec<FieldOption> = describe
        .fields
        .iter()
        .filter(|f| f.createable)
        .map(field_option)
        .collect();
    options.sort_by(|a, b| {
        b.required
            .cmp(&a.required)
            .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
            .then_with(|| a.name.cmp(&b.name))
    });
    options
}

fn field_option(f: &FieldDescribe) -> FieldOption {
    FieldOption {
        name: f.name.clone(),
        label: f.label.clone(),
        field_type: f.field_type.clone(),
        length: (f.length > 0).then_some(i64::from(f.length)),
        required: f.required_on_create(),
        picklist_values: active_values(f).map(str::to_owned).collect(),
        restricted: f.restricted_picklist,
    }
}

/// The values a picklist field accepts today.
pub(crate) fn active_values(f: &FieldDescribe) -> impl Iterator<Item = &str> {
    f.picklist_values
        .iter()
        .filter(|v| v.active)
        .map(|v| v.value.as_str())
}
