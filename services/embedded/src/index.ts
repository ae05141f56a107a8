export { compose, listenOn, CUSTODY_SERVICES, type Composed, type ComposeOptions, type IdentityPart } from './compose.ts';
