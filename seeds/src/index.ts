export { seedDemo } from './demo.ts';
