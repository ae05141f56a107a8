-- A subject's events (its history, and the duplicate-submission check) by index, not by scanning
-- the service's whole table.
CREATE INDEX "custody_events_subject_idx" ON "custody_events" ("service", "subject");
