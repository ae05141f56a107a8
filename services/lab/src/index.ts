export { createLabApp } from './app.ts';
