/** Injection tokens for values that are not classes. */
export const DISCOVERY_ENV = Symbol('DiscoveryEnv');
export const LOGGER = Symbol('Logger');
