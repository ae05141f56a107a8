// The farm service alone: `npm start -w services/farm` with DATABASE_URL, KAFKA_BROKERS,
// LEDGER_URL and IDENTITY_URL set (see README, "Running the services separately").
import { runStandalone } from '@milkchain/custody';

await runStandalone('farm', process.env);
