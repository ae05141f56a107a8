export { seedDemo } from './demo.ts';
export { demoWorld, AFM1_INCIDENT, EXCURSION_DAY, type WorldOptions, type WorldStep } from './world.ts';
export { simulate, loadNeeds, SimulationError, type SimulatedEvent } from './simulate.ts';
export { generateEntries, generateEvents, prng, type GeneratedEntry, type GenerateOptions } from './generate.ts';
export {
  DEPLOYMENT_GS1_PREFIX,
  gln,
  gtin,
  isUscc,
  makeUscc,
  ORG,
  organisationCodeCheckChar,
  PROCESSOR_GS1_PREFIX,
  RETAIL_GS1_PREFIX,
  sscc,
  usccCheckChar,
  WORLD_ORGS,
  WORLD_PRODUCTS,
  worldOrg,
  worldOrgRoles,
  worldProduct,
  type LicenceType,
  type WorldOrg,
  type WorldProduct,
} from './orgs.ts';
