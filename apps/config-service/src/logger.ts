/** DI token for the service's pino logger (secrets are redacted by the logger itself). */
export const LOGGER = Symbol('LOGGER');
