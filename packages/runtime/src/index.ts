export * from './errors.js';
export * from './logger.js';
export * from './env.js';
export * from './rpc.js';
export * from './nats.js';
export * from './service.js';
