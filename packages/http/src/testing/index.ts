export { startLoadGenerator, type LoadGenerator, type LoadJob, type LoadResult } from './load.ts';
