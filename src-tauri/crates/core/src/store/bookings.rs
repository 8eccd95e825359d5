//! Bookings' SQL: the raw payloads as received (the preview reads them back; intake writes them).

use rusqlite::OptionalExtension;

use super::Tx;
use crate::error::Result;

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
}
