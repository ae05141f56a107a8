// The lab service alone: `npm start -w services/lab` with DATABASE_URL, KAFKA_BROKERS,
// LEDGER_URL and IDENTITY_URL set (see README, "Running the services separately").
import { runStandalone } from '@milkchain/custody';

await runStandalone('lab', process.env);
