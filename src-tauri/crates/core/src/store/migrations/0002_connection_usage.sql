-- The connection's last known API usage (from Sforce-Limit-Info) and, when Salesforce refused the
-- refresh token, why: the queue pauses on it and the Integrations page asks for a reconnect.
ALTER TABLE salesforce_connections ADD COLUMN api_used INTEGER;
ALTER TABLE salesforce_connections ADD COLUMN api_limit INTEGER;
ALTER TABLE salesforce_connections ADD COLUMN api_usage_at TEXT;
ALTER TABLE salesforce_connections ADD COLUMN reconnect_reason TEXT;
