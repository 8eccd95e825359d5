//! The standard objects every org has — Lead, Contact, Event, User (read-only here, so OwnerId
//! and the audit fields have something to point at) and Organization (read-only, one record: the
//! org itself, which clients query for its name) — with Salesforce's standard field names,
//! labels, lengths and flags, in describe's field order.

use serde_json::{Value, json};

use super::{FieldDef, FieldType, ObjectDef, PicklistValue};
use crate::ids::prefix;

pub(super) fn objects() -> Vec<ObjectDef> {
    vec![lead(), contact(), event(), user(), organization()]
}

impl FieldDef {
    /// A nillable, createable, updateable field with the usual flags for its type.
    pub(crate) fn of(name: &str, label: &str, kind: FieldType) -> Self {
        let (length, byte_length) = match kind {
            FieldType::Id | FieldType::Reference => (18, 18),
            _ => (0, 0),
        };
        FieldDef {
            name: name.into(),
            label: label.into(),
            kind,
            type_name: kind.as_str().into(),
            length,
            byte_length,
            precision: 0,
            scale: 0,
            digits: 0,
            nillable: true,
            createable: true,
            updateable: true,
            defaulted_on_create: false,
            default_value: Value::Null,
            calculated: false,
            auto_number: false,
            unique: false,
            external_id: false,
            id_lookup: false,
            custom: name.ends_with("__c"),
            case_sensitive: false,
            name_field: false,
            filterable: true,
            sortable: !matches!(
                kind,
                FieldType::Address | FieldType::Location | FieldType::Multipicklist
            ),
            groupable: !matches!(
                kind,
                FieldType::Double
                    | FieldType::Currency
                    | FieldType::Percent
                    | FieldType::Datetime
                    | FieldType::Address
                    | FieldType::Location
                    | FieldType::Multipicklist
            ),
            aggregatable: !matches!(
                kind,
                FieldType::Boolean | FieldType::Address | FieldType::Location
            ),
            html_formatted: false,
            polymorphic: false,
            picklist: Vec::new(),
            restricted_picklist: false,
            reference_to: Vec::new(),
            relationship_name: None,
            compound_field_name: None,
            extra_type_info: None,
            raw: None,
        }
    }

    /// Sets `length` (characters) and `byteLength` (three bytes a character, as Salesforce
    /// reports); long text areas can be neither filtered nor sorted.
    pub(super) fn len(mut self, length: u32) -> Self {
        self.length = length;
        self.byte_length = length * 3;
        if self.kind == FieldType::Textarea && length > 255 {
            self.filterable = false;
            self.sortable = false;
            self.groupable = false;
            self.aggregatable = false;
        }
        self
    }

    pub(super) fn required(mut self) -> Self {
        self.nillable = false;
        self
    }

    /// Not createable, not updateable (system and calculated fields).
    pub(super) fn readonly(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }

    pub(super) fn create_only(mut self) -> Self {
        self.updateable = false;
        self
    }

    pub(super) fn defaulted(mut self, value: Value) -> Self {
        self.defaulted_on_create = true;
        self.default_value = value;
        self
    }

    pub(super) fn id_lookup(mut self) -> Self {
        self.id_lookup = true;
        self
    }

    pub(super) fn compound(mut self, parent: &str) -> Self {
        self.compound_field_name = Some(parent.into());
        self
    }

    pub(super) fn extra(mut self, info: &str) -> Self {
        self.extra_type_info = Some(info.into());
        self
    }

    pub(super) fn number(mut self, precision: u32, scale: u32) -> Self {
        self.precision = precision;
        self.scale = scale;
        self
    }

    pub(super) fn digits(mut self, digits: u32) -> Self {
        self.digits = digits;
        self
    }

    pub(super) fn restricted(mut self) -> Self {
        self.restricted_picklist = true;
        self
    }

    pub(super) fn values(mut self, values: &[&str]) -> Self {
        self.picklist = values
            .iter()
            .map(|v| PicklistValue {
                value: (*v).into(),
                label: (*v).into(),
                active: true,
                default_value: false,
            })
            .collect();
        self
    }

    /// Picklist values whose labels differ from their API values.
    pub(super) fn labelled_values(mut self, values: &[(&str, &str)]) -> Self {
        self.picklist = values
            .iter()
            .map(|(v, l)| PicklistValue {
                value: (*v).into(),
                label: (*l).into(),
                active: true,
                default_value: false,
            })
            .collect();
        self
    }

    /// Marks the picklist's default value, which describe reports on the value and the field.
    pub(super) fn default_pick(mut self, value: &str) -> Self {
        for p in &mut self.picklist {
            p.default_value = p.value == value;
        }
        self.defaulted(json!(value))
    }

    pub(super) fn refers(mut self, to: &[&str], relationship: &str) -> Self {
        self.reference_to = to.iter().map(|s| (*s).to_string()).collect();
        self.relationship_name = Some(relationship.into());
        self.polymorphic = to.len() > 1;
        self
    }
}

fn id(label: &str) -> FieldDef {
    let mut f = FieldDef::of("Id", label, FieldType::Id)
        .required()
        .readonly()
        .defaulted(Value::Null)
        .id_lookup();
    f.case_sensitive = false;
    f
}

fn text(name: &str, label: &str, length: u32) -> FieldDef {
    FieldDef::of(name, label, FieldType::String).len(length)
}

fn textarea(name: &str, label: &str, length: u32) -> FieldDef {
    FieldDef::of(name, label, FieldType::Textarea).len(length)
}

fn phone(name: &str, label: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Phone).len(40)
}

fn email(name: &str, label: &str, length: u32) -> FieldDef {
    FieldDef::of(name, label, FieldType::Email).len(length)
}

fn url(name: &str, label: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Url).len(255)
}

fn picklist(name: &str, label: &str, length: u32, values: &[&str]) -> FieldDef {
    FieldDef::of(name, label, FieldType::Picklist)
        .len(length)
        .values(values)
}

fn checkbox(name: &str, label: &str) -> FieldDef {
    // Checkboxes are never null: not nillable, defaulted to false.
    FieldDef::of(name, label, FieldType::Boolean)
        .required()
        .defaulted(json!(false))
}

fn date(name: &str, label: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Date)
}

fn datetime(name: &str, label: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Datetime)
}

fn lookup(name: &str, label: &str, to: &[&str], relationship: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Reference).refers(to, relationship)
}

fn geo(name: &str, label: &str, parent: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Double)
        .number(18, 15)
        .compound(parent)
}

fn address(name: &str, label: &str) -> FieldDef {
    FieldDef::of(name, label, FieldType::Address).readonly()
}

const SALUTATIONS: &[&str] = &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx."];
const LEAD_SOURCES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
];
pub(crate) const LEAD_STATUSES: &[&str] = &[
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
];
const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];
const GEOCODE_ACCURACY: &[&str] = &[
    "Address",
    "NearAddress",
    "Block",
    "Street",
    "ExtendedZip",
    "Zip",
    "Neighborhood",
    "City",
    "County",
    "State",
    "Unknown",
];

/// Salutation, first and last name, and the compound `Name` Salesforce builds from them.
fn person_name(fields: &mut Vec<FieldDef>) {
    fields.push(text("LastName", "Last Name", 80).required());
    fields.push(text("FirstName", "First Name", 40));
    fields.push(picklist("Salutation", "Salutation", 40, SALUTATIONS));
    let mut name = text("Name", "Full Name", 121)
        .required()
        .readonly()
        .extra("personname");
    name.name_field = true;
    fields.push(name);
}

/// The street/city/… parts of a compound address and the read-only compound itself.
fn address_block(fields: &mut Vec<FieldDef>, prefix: &str, label_prefix: &str, compound: &str) {
    let l = |s: &str| {
        if label_prefix.is_empty() {
            s.to_string()
        } else {
            format!("{label_prefix} {s}")
        }
    };
    fields.push(
        textarea(&format!("{prefix}Street"), &l("Street"), 255)
            .extra("plaintextarea")
            .compound(compound),
    );
    fields.push(text(&format!("{prefix}City"), &l("City"), 40).compound(compound));
    fields.push(text(&format!("{prefix}State"), &l("State/Province"), 80).compound(compound));
    fields.push(text(&format!("{prefix}PostalCode"), &l("Zip/Postal Code"), 20).compound(compound));
    fields.push(text(&format!("{prefix}Country"), &l("Country"), 80).compound(compound));
    fields.push(geo(&format!("{prefix}Latitude"), &l("Latitude"), compound));
    fields.push(geo(
        &format!("{prefix}Longitude"),
        &l("Longitude"),
        compound,
    ));
    fields.push(
        picklist(
            &format!("{prefix}GeocodeAccuracy"),
            &l("Geocode Accuracy"),
            40,
            GEOCODE_ACCURACY,
        )
        .restricted()
        .compound(compound),
    );
    let label = if label_prefix.is_empty() {
        "Address".to_string()
    } else {
        format!("{label_prefix} Address")
    };
    fields.push(address(compound, &label));
}

/// CreatedDate … SystemModstamp: set by the platform, never by the client.
fn audit_fields(fields: &mut Vec<FieldDef>) {
    let stamp = |name: &str, label: &str| {
        datetime(name, label)
            .required()
            .readonly()
            .defaulted(Value::Null)
    };
    let by = |name: &str, label: &str, rel: &str| {
        lookup(name, label, &["User"], rel)
            .required()
            .readonly()
            .defaulted(Value::Null)
    };
    fields.push(stamp("CreatedDate", "Created Date"));
    fields.push(by("CreatedById", "Created By ID", "CreatedBy"));
    fields.push(stamp("LastModifiedDate", "Last Modified Date"));
    fields.push(by(
        "LastModifiedById",
        "Last Modified By ID",
        "LastModifiedBy",
    ));
    fields.push(stamp("SystemModstamp", "System Modstamp"));
}

fn is_deleted() -> FieldDef {
    checkbox("IsDeleted", "Deleted").readonly()
}

fn owner(label: &str, to: &[&str]) -> FieldDef {
    lookup("OwnerId", label, to, "Owner")
        .required()
        .defaulted(Value::Null)
}

fn lead() -> ObjectDef {
    let mut f = vec![id("Lead ID"), is_deleted()];
    f.push(
        lookup(
            "MasterRecordId",
            "Master Record ID",
            &["Lead"],
            "MasterRecord",
        )
        .readonly(),
    );
    person_name(&mut f);
    f.push(text("Title", "Title", 128));
    f.push(text("Company", "Company", 255).required());
    address_block(&mut f, "", "", "Address");
    f.push(phone("Phone", "Phone"));
    f.push(phone("MobilePhone", "Mobile Phone"));
    f.push(phone("Fax", "Fax"));
    f.push(email("Email", "Email", 80).id_lookup());
    f.push(url("Website", "Website"));
    f.push(url("PhotoUrl", "Photo URL").readonly());
    f.push(textarea("Description", "Description", 32000));
    f.push(picklist("LeadSource", "Lead Source", 255, LEAD_SOURCES));
    f.push(
        // Lead Status drives conversion, so Salesforce refuses values it does not know.
        picklist("Status", "Lead Status", 255, LEAD_STATUSES)
            .restricted()
            .required()
            .default_pick(LEAD_STATUSES[0]),
    );
    f.push(picklist("Industry", "Industry", 255, INDUSTRIES));
    f.push(picklist("Rating", "Rating", 255, &["Hot", "Warm", "Cold"]));
    f.push(FieldDef::of("AnnualRevenue", "Annual Revenue", FieldType::Currency).number(18, 0));
    f.push(FieldDef::of("NumberOfEmployees", "Employees", FieldType::Int).digits(8));
    f.push(owner("Owner ID", &["Group", "User"]));
    f.push(checkbox("HasOptedOutOfEmail", "Email Opt Out"));
    f.push(checkbox("IsConverted", "Converted").create_only());
    f.push(date("ConvertedDate", "Converted Date").readonly());
    f.push(
        lookup(
            "ConvertedAccountId",
            "Converted Account ID",
            &["Account"],
            "ConvertedAccount",
        )
        .readonly(),
    );
    f.push(
        lookup(
            "ConvertedContactId",
            "Converted Contact ID",
            &["Contact"],
            "ConvertedContact",
        )
        .readonly(),
    );
    f.push(
        lookup(
            "ConvertedOpportunityId",
            "Converted Opportunity ID",
            &["Opportunity"],
            "ConvertedOpportunity",
        )
        .readonly(),
    );
    f.push(checkbox("IsUnreadByOwner", "Unread By Owner"));
    audit_fields(&mut f);
    f.push(date("LastActivityDate", "Last Activity").readonly());
    f.push(checkbox("DoNotCall", "Do Not Call"));
    f.push(checkbox("HasOptedOutOfFax", "Fax Opt Out"));
    f.push(datetime("LastViewedDate", "Last Viewed Date").readonly());
    f.push(datetime("LastReferencedDate", "Last Referenced Date").readonly());
    f.push(datetime("LastTransferDate", "Last Transfer Date").readonly());
    f.push(text("Jigsaw", "Data.com Key", 20));
    f.push(text("JigsawContactId", "Jigsaw Contact ID", 20).readonly());
    f.push(text("EmailBouncedReason", "Email Bounced Reason", 255));
    f.push(datetime("EmailBouncedDate", "Email Bounced Date"));
    f.push(lookup(
        "IndividualId",
        "Individual ID",
        &["Individual"],
        "Individual",
    ));
    ObjectDef::new("Lead", "Lead", "Leads", prefix::LEAD, f)
}

fn contact() -> ObjectDef {
    let mut f = vec![id("Contact ID"), is_deleted()];
    f.push(
        lookup(
            "MasterRecordId",
            "Master Record ID",
            &["Contact"],
            "MasterRecord",
        )
        .readonly(),
    );
    f.push(lookup("AccountId", "Account ID", &["Account"], "Account"));
    person_name(&mut f);
    address_block(&mut f, "Other", "Other", "OtherAddress");
    address_block(&mut f, "Mailing", "Mailing", "MailingAddress");
    f.push(phone("Phone", "Business Phone"));
    f.push(phone("Fax", "Business Fax"));
    f.push(phone("MobilePhone", "Mobile Phone"));
    f.push(phone("HomePhone", "Home Phone"));
    f.push(phone("OtherPhone", "Other Phone"));
    f.push(phone("AssistantPhone", "Asst. Phone"));
    f.push(lookup(
        "ReportsToId",
        "Reports To ID",
        &["Contact"],
        "ReportsTo",
    ));
    f.push(email("Email", "Email", 80).id_lookup());
    f.push(text("Title", "Title", 128));
    f.push(text("Department", "Department", 80));
    f.push(text("AssistantName", "Assistant's Name", 40));
    f.push(picklist("LeadSource", "Lead Source", 255, LEAD_SOURCES));
    f.push(date("Birthdate", "Birthdate"));
    f.push(textarea("Description", "Contact Description", 32000));
    f.push(owner("Owner ID", &["User"]));
    f.push(checkbox("HasOptedOutOfEmail", "Email Opt Out"));
    f.push(checkbox("HasOptedOutOfFax", "Fax Opt Out"));
    f.push(checkbox("DoNotCall", "Do Not Call"));
    audit_fields(&mut f);
    f.push(date("LastActivityDate", "Last Activity").readonly());
    f.push(datetime("LastCURequestDate", "Last Stay-in-Touch Request Date").readonly());
    f.push(datetime("LastCUUpdateDate", "Last Stay-in-Touch Save Date").readonly());
    f.push(datetime("LastViewedDate", "Last Viewed Date").readonly());
    f.push(datetime("LastReferencedDate", "Last Referenced Date").readonly());
    f.push(text("EmailBouncedReason", "Email Bounced Reason", 255));
    f.push(datetime("EmailBouncedDate", "Email Bounced Date"));
    f.push(checkbox("IsEmailBounced", "Is Email Bounced").readonly());
    f.push(url("PhotoUrl", "Photo URL").readonly());
    f.push(text("Jigsaw", "Data.com Key", 20));
    f.push(text("JigsawContactId", "Jigsaw Contact ID", 20).readonly());
    f.push(lookup(
        "IndividualId",
        "Individual ID",
        &["Individual"],
        "Individual",
    ));
    ObjectDef::new("Contact", "Contact", "Contacts", prefix::CONTACT, f)
}

fn event() -> ObjectDef {
    let mut f = vec![id("Activity ID")];
    f.push(lookup("WhoId", "Name ID", &["Contact", "Lead"], "Who"));
    f.push(lookup(
        "WhatId",
        "Related To ID",
        &[
            "Account",
            "Asset",
            "Campaign",
            "Case",
            "Contract",
            "Opportunity",
            "Order",
            "Product2",
            "Quote",
            "Solution",
        ],
        "What",
    ));
    f.push(
        FieldDef::of("Subject", "Subject", FieldType::Combobox)
            .len(255)
            .values(&["Call", "Email", "Meeting", "Send Letter/Quote", "Other"]),
    );
    f.push(text("Location", "Location", 255));
    f.push(checkbox("IsAllDayEvent", "All-Day Event"));
    f.push(datetime("ActivityDateTime", "Due Date Time"));
    f.push(date("ActivityDate", "Due Date Only"));
    f.push(FieldDef::of("DurationInMinutes", "Duration", FieldType::Int).digits(8));
    f.push(datetime("StartDateTime", "Start Date Time"));
    f.push(datetime("EndDateTime", "End Date Time"));
    f.push(date("EndDate", "End").readonly());
    f.push(textarea("Description", "Description", 32000));
    f.push(lookup("AccountId", "Account ID", &["Account"], "Account").readonly());
    f.push(owner("Assigned To ID", &["Calendar", "User"]));
    f.push(picklist(
        "Type",
        "Type",
        40,
        &["Call", "Email", "Meeting", "Other"],
    ));
    f.push(checkbox("IsPrivate", "Private"));
    f.push(
        FieldDef::of("ShowAs", "Show Time As", FieldType::Picklist)
            .len(40)
            .labelled_values(&[
                ("Busy", "Busy"),
                ("OutOfOffice", "Out of Office"),
                ("Free", "Free"),
            ])
            .restricted()
            .default_pick("Busy"),
    );
    f.push(is_deleted());
    f.push(checkbox("IsChild", "Is Child").readonly());
    f.push(checkbox("IsGroupEvent", "Is Group Event").readonly());
    f.push(
        picklist(
            "GroupEventType",
            "Group Event Type",
            40,
            &["0", "1", "2", "3"],
        )
        .restricted()
        .readonly(),
    );
    audit_fields(&mut f);
    f.push(checkbox("IsArchived", "Archived").readonly());
    f.push(checkbox(
        "IsVisibleInSelfService",
        "Visible in Self-Service",
    ));
    f.push(checkbox("IsReminderSet", "Reminder Set"));
    f.push(datetime("ReminderDateTime", "Reminder Date/Time"));
    f.push(
        picklist("EventSubtype", "Event Subtype", 40, &["Event"])
            .restricted()
            .create_only(),
    );
    ObjectDef::new("Event", "Event", "Events", prefix::EVENT, f)
}

/// Users come from the org file; through the API they are read-only.
fn user() -> ObjectDef {
    let mut f = vec![id("User ID")];
    let mut username = text("Username", "Username", 80).required().id_lookup();
    username.unique = true;
    f.push(username);
    f.push(text("LastName", "Last Name", 80).required());
    f.push(text("FirstName", "First Name", 40));
    let mut name = text("Name", "Full Name", 121)
        .required()
        .extra("personname");
    name.name_field = true;
    f.push(name);
    f.push(text("CompanyName", "Company Name", 80));
    f.push(email("Email", "Email", 128).required());
    f.push(text("Alias", "Alias", 8).required());
    f.push(checkbox("IsActive", "Active"));
    f.push(
        picklist(
            "TimeZoneSidKey",
            "Time Zone",
            40,
            &["America/Los_Angeles", "Asia/Tokyo", "GMT"],
        )
        .required(),
    );
    f.push(picklist("LocaleSidKey", "Locale", 40, &["en_US", "ja_JP"]).required());
    f.push(picklist("EmailEncodingKey", "Email Encoding", 40, &["UTF-8"]).required());
    f.push(picklist("LanguageLocaleKey", "Language", 40, &["en_US", "ja"]).required());
    f.push(lookup("ProfileId", "Profile ID", &["Profile"], "Profile").required());
    f.push(picklist("UserType", "User Type", 40, &["Standard"]));
    audit_fields(&mut f);
    for field in &mut f {
        field.createable = false;
        field.updateable = false;
    }
    let mut o = ObjectDef::new("User", "User", "Users", prefix::USER, f);
    o.createable = false;
    o.updateable = false;
    o.deletable = false;
    o
}

/// The org itself, one record seeded from the org file; read-only through the API, as in
/// Salesforce.
fn organization() -> ObjectDef {
    let mut f = vec![id("Organization ID")];
    let mut name = text("Name", "Name", 80).required();
    name.name_field = true;
    f.push(name);
    f.push(picklist(
        "OrganizationType",
        "Edition",
        40,
        &[
            "Team Edition",
            "Professional Edition",
            "Enterprise Edition",
            "Developer Edition",
            "Unlimited Edition",
        ],
    ));
    f.push(text("InstanceName", "Instance Name", 5));
    f.push(checkbox("IsSandbox", "Is Sandbox"));
    audit_fields(&mut f);
    for field in &mut f {
        field.createable = false;
        field.updateable = false;
    }
    let mut o = ObjectDef::new(
        "Organization",
        "Organization",
        "Organizations",
        prefix::ORG,
        f,
    );
    o.createable = false;
    o.updateable = false;
    o.deletable = false;
    o
}
