export * from './errors.js';
export * from './rpc.js';
export * from './validation.js';
export * from './schema.js';
export * from './datasource.js';
export * from './discovery.js';
export * from './gateway.js';
