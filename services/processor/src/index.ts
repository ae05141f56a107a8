export { createProcessorApp } from './app.ts';
