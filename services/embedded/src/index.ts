export { compose, inProcessIdentity, listenOn, CUSTODY_SERVICES, type Composed, type ComposeOptions, type IdentityPart } from './compose.ts';
export { seedWorld, worldStart, seedOrgs, runSteps, login, commandPaths, type SeedResult, type SeedProgress } from './seed-world.ts';
