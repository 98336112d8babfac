import { jestConfig } from '../../jest.preset.js';
// Integration tests move 50 MiB objects through the gateway and restart NATS: give them room.
export default jestConfig(import.meta.dirname, { testTimeout: 120_000 });
