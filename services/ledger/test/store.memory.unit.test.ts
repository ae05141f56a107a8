import { MemoryLedgerStore } from '../src/store/memory.ts';
import { ledgerStoreContract } from './store.contract.ts';

ledgerStoreContract('in-memory', async () => new MemoryLedgerStore());
