-- The push asks whether a Lead found by a lookup already belongs to another job.
CREATE INDEX outbox_jobs_by_salesforce_id ON outbox_jobs (salesforce_id)
    WHERE salesforce_id IS NOT NULL;
