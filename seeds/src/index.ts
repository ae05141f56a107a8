export { seedDemo } from './demo.ts';
export { demoWorld, AFM1_INCIDENT, EXCURSION_DAY, type WorldStep, type WorldOptions } from './world.ts';
export { WORLD_ORGS, WORLD_PRODUCTS, worldOrgRoles, worldOrg, type WorldOrg } from './orgs.ts';
