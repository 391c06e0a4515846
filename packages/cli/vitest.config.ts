import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@bank/source'] },
  ssr: { resolve: { conditions: ['@bank/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
