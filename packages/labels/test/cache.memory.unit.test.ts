import { describe } from 'vitest';
import { createMemoryLabelCache, type LabelCache } from '../src/index.ts';
import { labelCacheContract } from './cache.contract.ts';

describe('in-memory LabelCache', () => {
  // One store shared by every cache the suite makes, as one database is.
  const shared: LabelCache = createMemoryLabelCache();
  labelCacheContract(() => shared);
});
