//! Bookings' SQL: each payload as received with the facts the queue lists (guest, times), found
//! again by its hash (a redelivery) or by the scheduling product's booking id (a cancellation or
//! a reschedule), and the calendars a payload names by its URL path.

use rusqlite::{OptionalExtension, params};

use super::Tx;
use crate::error::Result;

/// A booking about to be stored.
#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    pub event_id: &'a str,
    pub calendar_id: Option<i64>,
    pub webhook_type: &'a str,
    pub payload_sha256: &'a str,
    pub raw_payload: &'a str,
    pub guest_name: Option<&'a str>,
    pub guest_email: Option<&'a str>,
    pub start_at: Option<&'a str>,
    pub end_at: Option<&'a str>,
    pub guest_timezone: Option<&'a str>,
    pub old_event_id: Option<&'a str>,
    pub received_at: &'a str,
    /// `webhook` or `file`.
    pub source: &'a str,
}

impl Tx<'_> {
    /// The payload a booking arrived with, exactly as received.
    pub fn booking_payload(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .0
            .query_row(
                "SELECT raw_payload FROM bookings WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The booking a payload with this hash made, if one did.
    pub fn booking_by_hash(&self, sha256: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM bookings WHERE payload_sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The latest booking of this kind for the product's booking id.
    pub fn booking_by_event(&self, event_id: &str, webhook_type: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM bookings WHERE event_id = ?1 AND webhook_type = ?2
                 ORDER BY id DESC LIMIT 1",
                params![event_id, webhook_type],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A booking that says it reschedules `event_id` (it may arrive before its original).
    pub fn rescheduled_from(&self, event_id: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM bookings WHERE old_event_id = ?1 AND webhook_type = 'event_confirmed'
                 ORDER BY id LIMIT 1",
                [event_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn insert_booking(&self, b: &NewBooking<'_>) -> Result<i64> {
        self.0.execute(
            "INSERT INTO bookings (event_id, calendar_id, webhook_type, payload_sha256, raw_payload,
                 guest_name, guest_email, start_at, end_at, guest_timezone, old_event_id,
                 received_at, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                b.event_id,
                b.calendar_id,
                b.webhook_type,
                b.payload_sha256,
                b.raw_payload,
                b.guest_name,
                b.guest_email,
                b.start_at,
                b.end_at,
                b.guest_timezone,
                b.old_event_id,
                b.received_at,
                b.source
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    /// The calendar a payload's URL path names.
    pub fn calendar_by_path(&self, url_path: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM calendars WHERE url_path = ?1",
                [url_path],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Ties a calendar to its booking URL's paths (the first webhook tells them).
    pub fn set_calendar_paths(
        &self,
        id: i64,
        url_path: &str,
        team_url_path: Option<&str>,
        now: &str,
    ) -> Result<()> {
        self.0.execute(
            "UPDATE calendars SET url_path = ?2, team_url_path = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, url_path, team_url_path, now],
        )?;
        Ok(())
    }

    /// A calendar's URL path, if a webhook told it.
    pub fn calendar_path(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .0
            .query_row("SELECT url_path FROM calendars WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }
}
