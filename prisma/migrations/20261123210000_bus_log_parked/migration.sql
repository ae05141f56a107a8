-- Whether entries wait in bus_log_pending for this consumer, kept in the cursor row itself: the
-- consumer reads it with the row lock (SELECT ... FOR UPDATE returns the latest committed row,
-- whereas a subquery there would see the snapshot taken before the lock wait). True for existing
-- rows: their next delivery looks once and sets it right.
ALTER TABLE "bus_log_cursor" ADD COLUMN "parked" BOOLEAN NOT NULL DEFAULT true;
