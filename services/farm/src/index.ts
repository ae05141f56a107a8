export { createFarmApp } from './app.ts';
