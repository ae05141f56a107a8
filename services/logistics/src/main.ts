// The logistics service alone: `npm start -w services/logistics` with DATABASE_URL, KAFKA_BROKERS,
// LEDGER_URL and IDENTITY_URL set (see README, "Running the services separately").
import { runStandalone } from '@milkchain/custody';

await runStandalone('logistics', process.env);
