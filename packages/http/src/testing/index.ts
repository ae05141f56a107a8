export { startLoadGenerator, type LoadGenerator, type LoadJob, type LoadRequest, type LoadResult } from './load.ts';
