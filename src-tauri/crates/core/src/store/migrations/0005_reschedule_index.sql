-- Intake asks whether a booking's reschedule arrived before it.
CREATE INDEX bookings_by_old_event ON bookings (old_event_id) WHERE old_event_id IS NOT NULL;
