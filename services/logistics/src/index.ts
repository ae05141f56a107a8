export { createLogisticsApp } from './app.ts';
