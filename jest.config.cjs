/** Jest runs every test: unit, integration (real Orthanc), e2e (real Chromium). Type checking is `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { module: 'commonjs', jsx: 'react-jsx', esModuleInterop: true, isolatedModules: true } }],
    // nifti-reader-js ships ESM only (exports: import); compile it to CommonJS for Jest.
    '^.+/node_modules/nifti-reader-js/.+\\.js$': ['ts-jest', { tsconfig: { module: 'commonjs', allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!nifti-reader-js/)'],
  moduleNameMapper: { '^nifti-reader-js$': '<rootDir>/node_modules/nifti-reader-js/dist/nifti.js' },
  testTimeout: 120000,
};
