/**
 * Jest environment for tests that call onnxruntime-node: jest's node environment gives each test
 * file its own typed-array constructors, so the native addon's `data instanceof Float32Array` check
 * fails ("A float32 tensor's data must be type of function Float32Array()"). This environment shares
 * the host realm's typed arrays with the test. Use with a docblock:
 *   /** @jest-environment ./tests/helpers/ort-node-environment.cjs *\/
 */
const { TestEnvironment } = require('jest-environment-node');

class OrtNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer', 'Uint8ClampedArray']) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = OrtNodeEnvironment;
